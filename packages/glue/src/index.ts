/**
 * @edora/glue — the GLUE benchmark for EDoRA.ts, browser-safe (file-system helpers live in
 * `@edora/glue/node`). No tensor dependency: install it alone to load GLUE or score predictions.
 */
export { EdoraError, GlueArgumentError, GlueFileError, GlueFormatError, UnknownTaskError, type DataLocation } from './errors.js';
export {
  GLUE_TASK_NAMES, HF_GLUE_CONFIG_ALIASES, SYNTHETIC_TASK_NAMES, TASK_NAMES, checkSplit, getTask, hfGlueConfigSplit, isTaskName,
  type GlueExample, type GlueTaskName, type MetricName, type SyntheticTaskName, type TaskName, type TaskSpec,
} from './tasks.js';
export { readLines, textChunks, type Line, type TextSource } from './lines.js';
export { collect, glueTsvFileName, parseGlueDiagnosticTsv, parseGlueTsv, type GlueTsvOptions } from './glue-tsv.js';
export { MalformedRows } from './malformed-rows.js';
export { DATA_FILE_FORMATS, parseDataFile, type DataFileFormat, type DataFileOptions } from './data-files.js';
export { blobAsyncBuffer, dataFileFormatOf, parseDataBlob } from './data-blob.js';
export type { ColumnOptions } from './records.js';
export { parseParquet, type ParquetOptions, type ParquetSource } from './parquet.js';
export { accuracy, averageRanks, computeGlueMetrics, f1, matthewsCorrelation, pearson, spearman } from './metrics.js';
export type { Tokenizer } from './tokenizer.js';
export {
  batchCount, batches, collate, tokenizeExamples, tokenizeStream,
  type Batch, type BatchOptions, type Padding, type TokenizeOptions, type TokenizedDataset,
} from './batching.js';
export { SeededRandom, mixSeed, permutation } from './rng.js';
export {
  AX_SIZE, AX_SPLIT, SUBMISSION_TARGETS, glueSubmission, submissionSplits, submissionTargetOf,
  type SubmissionFile, type SubmissionOptions, type SubmissionTarget,
} from './submission.js';
export { SYNTHETIC_ANIMALS, syntheticExamples, type SyntheticOptions } from './synthetic.js';
