import { GlueFormatError, UnknownTaskError, shown } from './errors.js';
import { readLines, type TextSource } from './lines.js';
import { checkSplit, getTask, type GlueExample, type TaskSpec } from './tasks.js';

/**
 * How the GLUE download script lays out each task's TSV files. Headered files are read by column
 * name (MNLI's train and dev files differ in column count, so positions would be wrong); CoLA's
 * train/dev files have no header and four columns: source, label, original mark, sentence.
 */
interface Layout {
  /** Text columns by header name, or by position when the file has no header. */
  text: readonly string[] | readonly number[];
  /** The label column (absent from test files). */
  label: string | number;
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
   * GLUE files end lines with `\n`. A `\r\n` file was rewritten by some tool, and with quoting off
   * the `\r` would end up inside the last field, so it is an error unless this is true (then each
   * line's final `\r` is dropped).
   */
  allowCrlf?: boolean;
}

/**
 * Parses one split of a GLUE task from its original TSV (quoting off), streaming: examples come
 * out as lines come in. `idx` is the example's 0-based position, as in HF `datasets`. Test splits
 * have no label column and give `label: null`. Any departure from the layout throws
 * `GlueFormatError` naming file, line and what was expected.
 */
export async function* parseGlueTsv(
  source: TextSource,
  task: string,
  split: string,
  options: GlueTsvOptions = {},
): AsyncGenerator<GlueExample> {
  const spec = glueSpec(task);
  checkSplit(spec, split);
  const file = options.file ?? `${spec.glueDir}/${glueTsvFileName(task, split)}`;
  const labelled = !split.startsWith('test');
  const layout = spec.name === 'cola' && !labelled ? COLA_TEST : LAYOUTS[spec.name]!;
  const headered = layout.fields === undefined;

  let textAt: number[] = headered ? [] : (layout.text as number[]);
  let labelAt = labelled ? (headered ? -1 : (layout.label as number)) : -1;
  let fieldCount = layout.fields ?? 0;
  let idx = 0;
  let sawHeader = !headered;
  for await (const { text, line, crlf } of readLines(source, file)) {
    if (crlf && !options.allowCrlf) {
      throw new GlueFormatError({ file, line }, 'expected lines ending in LF (\\n) as GLUE files do; found CRLF (\\r\\n) — pass allowCrlf to accept it');
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
            `missing column ${shown(name)} in the header of ${spec.name} ${split}; found columns ${fields.map((f) => shown(f, 30)).join(', ')}`,
          );
        }
        return at;
      };
      textAt = (layout.text as string[]).map(find);
      if (labelled) labelAt = find(layout.label as string);
      continue;
    }
    if (fields.length !== fieldCount) {
      throw new GlueFormatError(
        { file, line },
        `expected ${fieldCount} tab-separated fields${headered ? ' (as in the header)' : ''}; found ${fields.length}${text.length === 0 ? ' (an empty line)' : ''}`,
      );
    }
    const example: GlueExample = { idx: idx++, textA: fields[textAt[0]!]!, label: null };
    if (textAt.length === 2) example.textB = fields[textAt[1]!]!;
    if (labelled) example.label = parseLabel(fields[labelAt]!, spec, layout, file, line);
    yield example;
  }
  if (!sawHeader) throw new GlueFormatError({ file, line: 1 }, `expected a header line for ${spec.name} ${split}; the file is empty`);
  if (idx === 0) throw new GlueFormatError({ file, line: 1 }, `expected at least one example for ${spec.name} ${split}; found none`);
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
