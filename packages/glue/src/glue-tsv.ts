import { GlueFormatError, UnknownTaskError, shown } from './errors.js';
import { readLines, type TextSource } from './lines.js';
import { readRow, type MalformedRows } from './malformed-rows.js';
import { checkSplit, getTask, type GlueExample, type TaskSpec } from './tasks.js';

/**
 * How the GLUE download script lays out each task's TSV files. Headered files are read by column
 * name (MNLI's train and dev files differ in column count, so positions would be wrong); CoLA's
 * train/dev files have no header and four columns: source, label, original mark, sentence.
 */
interface Layout {
  /** Text columns by header name, or by position when the file has no header. */
  text: readonly string[] | readonly number[];
  /** The label column of the labelled splits (test files have none; the AX file has none at all). */
  label?: string | number;
  /** Labels written as `0`/`1` ids, as names (`entailment`), or as a float score (STS-B). */
  labelAs: 'id' | 'name' | 'float';
  /** Field count of a header-less file. */
  fields?: number;
}

const LAYOUTS: Record<string, Layout> = {
  cola: { text: [3], label: 1, labelAs: 'id', fields: 4 },
  sst2: { text: ['sentence'], label: 'label', labelAs: 'id' },
  mrpc: { text: ['#1 String', '#2 String'], label: 'Quality', labelAs: 'id' },
  qqp: { text: ['question1', 'question2'], label: 'is_duplicate', labelAs: 'id' },
  stsb: { text: ['sentence1', 'sentence2'], label: 'score', labelAs: 'float' },
  mnli: { text: ['sentence1', 'sentence2'], label: 'gold_label', labelAs: 'name' },
  qnli: { text: ['question', 'sentence'], label: 'label', labelAs: 'name' },
  rte: { text: ['sentence1', 'sentence2'], label: 'label', labelAs: 'name' },
  wnli: { text: ['sentence1', 'sentence2'], label: 'label', labelAs: 'id' },
};
// CoLA's test file does have a header: `index\tsentence`.
const COLA_TEST: Layout = { text: ['sentence'], label: 'label', labelAs: 'id' };

/**
 * The columns of a task's GLUE download-layout TSV when `header` is one (MRPC's `#1 String`,
 * `#2 String`, `Quality`; QQP's `is_duplicate`; STS-B's `score`; MNLI's `gold_label`), so a user
 * file in that layout is read as `--data-dir` reads it; null for other headers, header-less layouts
 * (CoLA: `colaHeaderless`) and unknown tasks.
 */
export function glueTsvColumns(task: string | undefined, header: readonly string[]): { textColumns: readonly [string] | readonly [string, string]; labelColumn?: string } | null {
  const layout = task === undefined ? undefined : LAYOUTS[task.toLowerCase()];
  if (!layout || layout.fields !== undefined) return null;
  const text = layout.text as readonly string[];
  if (!text.every((c) => header.includes(c))) return null;
  const label = layout.label as string | undefined;
  return { textColumns: text as readonly [string] | readonly [string, string], ...(label !== undefined && header.includes(label) ? { labelColumn: label } : {}) };
}

/**
 * Column names for CoLA's header-less train/dev layout (source, label, original mark, sentence)
 * when `firstRow` is such a row of a `cola` file: four fields, the second a 0/1 label; else null.
 */
export function colaHeaderless(task: string | undefined, firstRow: readonly string[]): string[] | null {
  if (task?.toLowerCase() !== 'cola' || firstRow.length !== LAYOUTS.cola!.fields || !/^[01]$/.test(firstRow[1]!)) return null;
  return ['source', 'label', 'original_label', 'sentence'];
}

/** STS-B scores lie in [0, 5]. */
const STSB_RANGE = [0, 5] as const;

/** The file name the GLUE download script gives a split (`validation` → `dev.tsv`, MNLI's `dev_matched.tsv`...). */
export function glueTsvFileName(task: string, split: string): string {
  const spec = glueSpec(task);
  checkSplit(spec, split);
  return `${split.replace(/^validation/, 'dev')}.tsv`;
}

export interface GlueTsvOptions {
  /** Name used in error messages (the Node entry passes the path). */
  file?: string;
  /**
   * GLUE files end lines with `\n`, but a file saved by a Windows editor ends them with `\r\n`.
   * Accepted by default: each line's final `\r` is dropped (with quoting off it would otherwise
   * end up inside the last field). `false` is the strict mode: a CRLF line is a `GlueFormatError`,
   * for checking that files are byte-for-byte the downloaded ones.
   */
  allowCrlf?: boolean;
  /**
   * Skip malformed rows (wrong field count, unknown label, score out of range) instead of
   * throwing, counting them and keeping the first few errors in this collector. Off by default.
   * `idx` stays each row's position in the file, skipped rows included, so that predictions still
   * line up with the GLUE test indices.
   */
  skipMalformed?: MalformedRows;
}

/**
 * Parses one split of a GLUE task from its original TSV (quoting off), streaming: examples come
 * out as lines come in. `idx` is the example's 0-based position, as in HF `datasets`. Test splits
 * have no label column and give `label: null`. Any departure from the layout throws
 * `GlueFormatError` naming file, line and what was expected (or, for a malformed row, is counted
 * and skipped when `skipMalformed` is given). Lines may end in LF or CRLF unless `allowCrlf: false`.
 */
export async function* parseGlueTsv(
  source: TextSource,
  task: string,
  split: string,
  options: GlueTsvOptions = {},
): AsyncGenerator<GlueExample> {
  const spec = glueSpec(task);
  checkSplit(spec, split);
  const labelled = !split.startsWith('test');
  const layout = spec.name === 'cola' && !labelled ? COLA_TEST : LAYOUTS[spec.name]!;
  const file = options.file ?? `${spec.glueDir}/${glueTsvFileName(task, split)}`;
  yield* parseLayout(source, { layout, labelled, spec, what: `${spec.name} ${split}`, file }, options);
}

/** The GLUE diagnostic set's TSV: `index`, `sentence1` (premise), `sentence2` (hypothesis), no labels. */
const DIAGNOSTIC: Layout = { text: ['sentence1', 'sentence2'], labelAs: 'name' };

/**
 * Parses the GLUE diagnostic set AX (`diagnostic.tsv` from the download script, `AX.tsv` from
 * the GLUE site): premise and hypothesis pairs without labels, predicted with an MNLI model and
 * submitted as `AX.tsv` (`glueSubmission('ax', ...)`). Examples are unlabelled MNLI-shaped pairs.
 */
export async function* parseGlueDiagnosticTsv(source: TextSource, options: GlueTsvOptions = {}): AsyncGenerator<GlueExample> {
  const spec = getTask('mnli');
  yield* parseLayout(source, { layout: DIAGNOSTIC, labelled: false, spec, what: 'the AX diagnostic set', file: options.file ?? 'diagnostic/diagnostic.tsv' }, options);
}

interface ParsePlan {
  layout: Layout;
  labelled: boolean;
  /** The task whose labels the file holds (MNLI's for AX). */
  spec: TaskSpec;
  /** What the file is, for messages: `mnli train`, `the AX diagnostic set`. */
  what: string;
  file: string;
}

async function* parseLayout(source: TextSource, plan: ParsePlan, options: GlueTsvOptions): AsyncGenerator<GlueExample> {
  const { layout, labelled, spec, what, file } = plan;
  const headered = layout.fields === undefined;
  const skip = options.skipMalformed;

  let textAt: number[] = headered ? [] : (layout.text as number[]);
  let labelAt = labelled ? (headered ? -1 : (layout.label as number)) : -1;
  let fieldCount = layout.fields ?? 0;
  let position = 0;
  let yielded = 0;
  let sawHeader = !headered;
  for await (const { text, line, crlf } of readLines(source, file)) {
    if (crlf && options.allowCrlf === false) {
      throw new GlueFormatError({ file, line }, 'expected lines ending in LF (\\n) as GLUE files do; found CRLF (\\r\\n) — this is the strict mode (allowCrlf: false)');
    }
    const fields = text.split('\t');
    if (!sawHeader) {
      sawHeader = true;
      fieldCount = fields.length;
      const find = (name: string): number => {
        const at = fields.indexOf(name);
        if (at === -1) {
          throw new GlueFormatError(
            { file, line },
            `missing column ${shown(name)} in the header of ${what}; found columns ${fields.map((f) => shown(f, 30)).join(', ')}`,
          );
        }
        return at;
      };
      textAt = (layout.text as string[]).map(find);
      if (labelled) labelAt = find(layout.label as string);
      continue;
    }
    // the row's position in the file, skipped rows included
    const idx = position++;
    const example = readRow(skip, (): GlueExample => {
      if (fields.length !== fieldCount) {
        throw new GlueFormatError(
          { file, line },
          `expected ${fieldCount} tab-separated fields${headered ? ' (as in the header)' : ''}; found ${fields.length}${text.length === 0 ? ' (an empty line)' : ''}`,
        );
      }
      const ex: GlueExample = { idx, textA: fields[textAt[0]!]!, label: null };
      if (textAt.length === 2) ex.textB = fields[textAt[1]!]!;
      if (labelled) ex.label = parseLabel(fields[labelAt]!, spec, layout, file, line);
      return ex;
    });
    if (example === null) continue;
    yielded++;
    yield example;
  }
  if (!sawHeader) throw new GlueFormatError({ file, line: 1 }, `expected a header line for ${what}; the file is empty`);
  if (yielded === 0) {
    const skipped = skip?.count ? ` (${skip.count} malformed rows skipped)` : '';
    throw new GlueFormatError({ file, line: 1 }, `expected at least one example for ${what}; found none${skipped}`);
  }
}

function parseLabel(raw: string, spec: TaskSpec, layout: Layout, file: string, line: number): number {
  if (layout.labelAs === 'float') {
    const score = raw.trim() === '' ? NaN : Number(raw);
    if (!(score >= STSB_RANGE[0] && score <= STSB_RANGE[1])) {
      throw new GlueFormatError({ file, line }, `expected a similarity score in [${STSB_RANGE.join(', ')}]; found ${shown(raw)}`);
    }
    return score;
  }
  if (layout.labelAs === 'name') {
    const id = spec.labelNames.indexOf(raw);
    if (id === -1) {
      throw new GlueFormatError({ file, line }, `expected a label in ${spec.labelNames.join(', ')}; found ${shown(raw)}`);
    }
    return id;
  }
  const id = /^\d{1,3}$/.test(raw) ? Number(raw) : -1;
  if (id < 0 || id >= spec.labelNames.length) {
    const ids = spec.labelNames.map((name, i) => `${i} (${name})`).join(', ');
    throw new GlueFormatError({ file, line }, `expected a label id in ${ids}; found ${shown(raw)}`);
  }
  return id;
}

function glueSpec(task: string): TaskSpec {
  const spec = getTask(task);
  if (spec.glueDir === null) {
    throw new UnknownTaskError(`task ${spec.name} has no GLUE files (it is generated: use syntheticExamples)`);
  }
  return spec;
}

/** Collects an async iterable into an array (for splits small enough to hold). */
export async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
}
