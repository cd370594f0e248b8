/**
 * The data of a run: train and validation splits (every validation split of the task, MNLI's two),
 * the test split or AX set to predict, from a GLUE folder, the user's files or the embedded task.
 */
import {
  AX_SPLIT, MalformedRows, collect, getTask, loadGlueDiagnostic, loadGlueTask, streamDataFile, syntheticExamples, tokenizeExamples,
  type GlueExample, type TaskSpec, type Tokenizer, type TokenizedDataset,
} from '@edora/glue/node';
import { UsageError } from './args.js';

export interface DataOptions {
  task: string;
  dataDir?: string;
  trainFile?: string;
  validationFile?: string;
  maxTrainSamples?: number;
  maxEvalSamples?: number;
  seed: number;
  /** Sizes of the synthetic splits (when no data is given). */
  syntheticTrain?: number;
  syntheticValidation?: number;
  /** Skip malformed rows instead of failing on the first; each file's skipped rows go to `onSkipped`. */
  skipMalformed?: boolean;
  onSkipped?: (rows: MalformedRows) => void;
}

export interface Splits {
  spec: TaskSpec;
  train: GlueExample[];
  /**
   * The validation splits by name: from a GLUE folder every split of `TaskSpec.validationSplits`
   * (MNLI's matched and mismatched), from `--validation-file` the task's reported split.
   */
  validation: Record<string, GlueExample[]>;
  /** Where the data came from, for results. */
  source: string;
}

/** Where a task's data comes from: the embedded generator, the user's files, or a GLUE folder. */
type DataSource =
  | { kind: 'synthetic'; text: string }
  | { kind: 'files'; train: string; validation: string; text: string }
  | { kind: 'dir'; dir: string; text: string };

function dataSourceOf(o: DataOptions, spec: TaskSpec): DataSource {
  if (spec.glueDir === null) return { kind: 'synthetic', text: `embedded ${spec.name} task` };
  if (o.trainFile || o.validationFile) {
    if (!o.trainFile || !o.validationFile) throw new UsageError('--train-file and --validation-file go together; give both (or --data-dir)');
    return { kind: 'files', train: o.trainFile, validation: o.validationFile, text: `${o.trainFile}, ${o.validationFile}` };
  }
  if (o.dataDir) return { kind: 'dir', dir: o.dataDir, text: o.dataDir };
  throw new UsageError(`task ${spec.name} needs data: give --data-dir (GLUE download layout or HF parquet) or --train-file and --validation-file; with no data, use --task synthetic`);
}

/** Loads one file, with a malformed-row collector when skipping, reported through `onSkipped` once the file is read. */
async function readReporting(o: DataOptions, load: (skipMalformed?: MalformedRows) => Promise<GlueExample[]>): Promise<GlueExample[]> {
  if (!o.skipMalformed) return load();
  const skipped = new MalformedRows();
  const rows = await load(skipped);
  if (skipped.count > 0) o.onSkipped?.(skipped);
  return rows;
}

/** Train and validation examples: from a GLUE folder, from files, or the embedded synthetic task. */
export async function loadSplits(o: DataOptions): Promise<Splits> {
  const spec = getTask(o.task);
  const source = dataSourceOf(o, spec);
  let train: GlueExample[];
  if (source.kind === 'synthetic') train = syntheticExamples(spec.name, 'train', { seed: o.seed, size: o.syntheticTrain });
  else if (source.kind === 'files') train = await readReporting(o, (skipMalformed) => collect(streamDataFile(source.train, { task: spec.name, skipMalformed })));
  else train = await readReporting(o, (skipMalformed) => loadGlueTask(source.dir, spec.name, 'train', { skipMalformed }));
  if (o.maxTrainSamples !== undefined) train = train.slice(0, o.maxTrainSamples);
  return { spec, train, validation: await loadValidation(o), source: source.text };
}

/** The validation splits alone (see `Splits.validation`), each cut to `maxEvalSamples`. */
export async function loadValidation(o: DataOptions): Promise<Record<string, GlueExample[]>> {
  const spec = getTask(o.task);
  const source = dataSourceOf(o, spec);
  const out: Record<string, GlueExample[]> = {};
  if (source.kind === 'synthetic') out[spec.reportedSplit] = syntheticExamples(spec.name, spec.reportedSplit, { seed: o.seed, size: o.syntheticValidation });
  else if (source.kind === 'files') out[spec.reportedSplit] = await readReporting(o, (skipMalformed) => collect(streamDataFile(source.validation, { task: spec.name, skipMalformed })));
  else {
    for (const split of spec.validationSplits) out[split] = await readReporting(o, (skipMalformed) => loadGlueTask(source.dir, spec.name, split, { skipMalformed }));
  }
  if (o.maxEvalSamples !== undefined) for (const split of Object.keys(out)) out[split] = out[split]!.slice(0, o.maxEvalSamples);
  return out;
}

/** The test split of a GLUE task, or the AX diagnostic set for `ax` (MNLI), unlabelled, from a GLUE folder. */
export async function loadSubmissionSplit(o: DataOptions & { dataDir: string }, split: string): Promise<GlueExample[]> {
  const spec = getTask(o.task);
  const rows = await readReporting(o, (skipMalformed) =>
    split === AX_SPLIT ? loadGlueDiagnostic(o.dataDir, { skipMalformed }) : loadGlueTask(o.dataDir, spec.name, split, { skipMalformed }));
  return rows.map((e) => ({ ...e, label: null }));
}

export function tokenize(examples: GlueExample[], tokenizer: Tokenizer, spec: TaskSpec, maxLength: number): TokenizedDataset {
  return tokenizeExamples(examples, tokenizer, { maxLength, kind: spec.kind });
}

/** Tokenizes each named split. */
export function tokenizeSplits(splits: Record<string, GlueExample[]>, tokenizer: Tokenizer, spec: TaskSpec, maxLength: number): Record<string, TokenizedDataset> {
  return Object.fromEntries(Object.entries(splits).map(([name, examples]) => [name, tokenize(examples, tokenizer, spec, maxLength)]));
}
