import { GlueArgumentError, GlueFormatError, shown } from './errors.js';
import type { MalformedRows } from './malformed-rows.js';
import { getTask, type GlueExample } from './tasks.js';

/**
 * Turns named records (a CSV row, a JSON object, a parquet row) into GLUE examples, the way HF's
 * run_glue treats `--train_file`: chosen text columns, a `label` column that holds class ids,
 * label names or scores, and -1 (HF's "no label") or no label column meaning unlabelled.
 */
export interface ColumnOptions {
  /**
   * The text columns. Default: the task's HF field names when `task` is given; otherwise, like
   * run_glue, `sentence1`+`sentence2` when both exist, else the first two columns other than the
   * label and `idx`, else the first one.
   */
  textColumns?: readonly [string] | readonly [string, string];
  /** The label column (default `label`); when the file has none, examples are unlabelled. */
  labelColumn?: string;
  /** A registered task whose field names, label names and kind apply. */
  task?: string;
  /** Label names in id order, so string labels map to ids (overrides the task's). */
  labelNames?: readonly string[];
  /** Default: the task's kind, else classification. */
  kind?: 'classification' | 'regression';
  /**
   * Skip malformed records (wrong field count, unknown label, invalid JSON line, text that is not
   * text) instead of throwing, counting them in this collector with their file:line. Off by default.
   */
  skipMalformed?: MalformedRows;
}

export interface NamedRecord {
  row: Readonly<Record<string, unknown>>;
  /** 1-based line (text files) or row (parquet) for messages. */
  line: number;
  /** Set when the record itself is malformed (a CSV row with the wrong field count, a bad JSON line): thrown, or skipped with `skipMalformed`. */
  malformed?: GlueFormatError;
}

interface Plan {
  text: readonly string[];
  label: string | null;
  labelNames: readonly string[] | null;
  regression: boolean;
}

/** Picks the columns once, from the column names of the first record or header. */
export function planColumns(columns: readonly string[], options: ColumnOptions, file: string): Plan {
  const spec = options.task === undefined ? null : getTask(options.task);
  const labelColumn = options.labelColumn ?? 'label';
  const kind = options.kind ?? spec?.kind ?? 'classification';
  if (kind !== 'classification' && kind !== 'regression') {
    throw new GlueArgumentError(`expected kind 'classification' or 'regression'; found ${JSON.stringify(kind)}`);
  }
  let text: readonly string[];
  if (options.textColumns) text = options.textColumns;
  else if (spec) text = spec.textFields;
  else {
    const candidates = columns.filter((c) => c !== labelColumn && c !== 'idx');
    if (candidates.includes('sentence1') && candidates.includes('sentence2')) text = ['sentence1', 'sentence2'];
    else text = candidates.slice(0, 2);
  }
  if (text.length === 0 || text.length > 2) {
    throw new GlueFormatError({ file, line: 1 }, `expected one or two text columns; found ${text.length} among columns ${columns.map((c) => shown(c, 30)).join(', ')}`);
  }
  for (const c of text) {
    if (!columns.includes(c)) {
      throw new GlueFormatError({ file, line: 1 }, `missing text column ${shown(c)}; found columns ${columns.map((c) => shown(c, 30)).join(', ')}`);
    }
  }
  const names = options.labelNames ?? (spec && spec.kind === 'classification' ? spec.labelNames : null);
  return {
    text,
    label: columns.includes(labelColumn) ? labelColumn : null,
    labelNames: names,
    regression: kind === 'regression',
  };
}

/** Converts one record with a plan; `position` is the default `idx`. */
export function toExample(record: NamedRecord, plan: Plan, position: number, file: string): GlueExample {
  const { row, line } = record;
  const text = plan.text.map((c) => {
    const v = row[c];
    if (typeof v !== 'string') {
      throw new GlueFormatError({ file, line }, `expected text in column ${shown(c)}; found ${v === undefined ? 'no such field' : shown(v)}`);
    }
    return v;
  });
  const rawIdx = row.idx;
  // an `idx` column (HF's; a string in CSV) names the example, else its position does
  const idx =
    typeof rawIdx === 'number' && Number.isInteger(rawIdx) ? rawIdx
    : typeof rawIdx === 'bigint' ? Number(rawIdx)
    : typeof rawIdx === 'string' && /^\d{1,15}$/.test(rawIdx) ? Number(rawIdx)
    : position;
  const example: GlueExample = { idx, textA: text[0]!, label: null };
  if (text.length === 2) example.textB = text[1]!;
  if (plan.label !== null) example.label = parseLabel(row[plan.label], plan, { file, line });
  return example;
}

function parseLabel(raw: unknown, plan: Plan, at: { file: string; line: number }): number | null {
  const value = typeof raw === 'bigint' ? Number(raw) : raw;
  if (value === null || value === undefined || value === '' || value === -1 || value === '-1') return null;
  if (plan.regression) {
    const score = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
    if (!Number.isFinite(score)) throw new GlueFormatError(at, `expected a numeric score in column ${shown(plan.label)}; found ${shown(value)}`);
    return score;
  }
  const names = plan.labelNames;
  if (typeof value === 'string' && names?.includes(value)) return names.indexOf(value);
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(id) && id >= 0 && (names === null || id < names.length)) return id;
  const expected = names ? `a label in ${names.map((n, i) => `${i}/${n}`).join(', ')}` : 'a class id (integer ≥ 0) — pass labelNames for string labels';
  throw new GlueFormatError(at, `expected ${expected} in column ${shown(plan.label)}; found ${shown(value)}`);
}
