import { GlueArgumentError, UnknownTaskError } from './errors.js';
import { getTask, type TaskSpec } from './tasks.js';

/**
 * The files the GLUE evaluation server expects in a submission zip: one `<Name>.tsv` per test set
 * with header `index\tprediction`. CoLA, SST-2, MRPC, QQP and WNLI take class ids; MNLI, QNLI, RTE
 * and the AX diagnostic (scored with the MNLI model) take label names; STS-B takes a score, clipped
 * to [0, 5].
 */
const TARGETS = {
  cola: { file: 'CoLA.tsv', task: 'cola', split: 'test', names: false },
  sst2: { file: 'SST-2.tsv', task: 'sst2', split: 'test', names: false },
  mrpc: { file: 'MRPC.tsv', task: 'mrpc', split: 'test', names: false },
  qqp: { file: 'QQP.tsv', task: 'qqp', split: 'test', names: false },
  stsb: { file: 'STS-B.tsv', task: 'stsb', split: 'test', names: false },
  'mnli-m': { file: 'MNLI-m.tsv', task: 'mnli', split: 'test_matched', names: true },
  'mnli-mm': { file: 'MNLI-mm.tsv', task: 'mnli', split: 'test_mismatched', names: true },
  qnli: { file: 'QNLI.tsv', task: 'qnli', split: 'test', names: true },
  rte: { file: 'RTE.tsv', task: 'rte', split: 'test', names: true },
  wnli: { file: 'WNLI.tsv', task: 'wnli', split: 'test', names: false },
  ax: { file: 'AX.tsv', task: 'mnli', split: null, names: true },
} as const;

export type SubmissionTarget = keyof typeof TARGETS;
export const SUBMISSION_TARGETS = Object.keys(TARGETS) as SubmissionTarget[];
/** Size of the AX diagnostic set (it is not a split of any task). */
export const AX_SIZE = 1104;
/**
 * The name under which `submissionSplits` and `submissionTargetOf` address the AX diagnostic set:
 * it is no split of MNLI, but an MNLI model predicts it (`loadGlueDiagnostic` reads it).
 */
export const AX_SPLIT = 'ax';

/** The splits of `task` that have a submission file: its test splits, and for MNLI also `ax`. */
export function submissionSplits(task: string): string[] {
  const name = getTask(task).name;
  return Object.values(TARGETS).filter((t) => t.task === name).map((t) => t.split ?? AX_SPLIT);
}

/**
 * The submission target for predictions of `task` on `split` (`mnli` + `test_mismatched` →
 * `mnli-mm`, `mnli` + `ax` → `ax`); an unknown pair throws `UnknownTaskError` listing the task's
 * submission splits.
 */
export function submissionTargetOf(task: string, split: string): SubmissionTarget {
  const name = getTask(task).name;
  const found = SUBMISSION_TARGETS.find((key) => TARGETS[key].task === name && (TARGETS[key].split ?? AX_SPLIT) === split);
  if (found === undefined) {
    const valid = submissionSplits(name);
    throw new UnknownTaskError(`no GLUE submission file for ${name} ${JSON.stringify(split)}; expected one of ${valid.length ? valid.join(', ') : '(none: a generated task)'}`);
  }
  return found;
}

export interface SubmissionFile {
  fileName: string;
  contents: string;
}

export interface SubmissionOptions {
  /** Check that there is one prediction per test example (the server rejects anything else). Default true. */
  checkSize?: boolean;
}

/**
 * One submission file. `idx` are the test examples' `idx` (as the loaders give them),
 * `predictions` class ids (argmax) or, for STS-B, scores. Rows are written in `idx` order.
 */
export function glueSubmission(
  target: string,
  idx: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: SubmissionOptions = {},
): SubmissionFile {
  if (!Object.hasOwn(TARGETS, target)) {
    throw new UnknownTaskError(`unknown submission target ${JSON.stringify(target)}; expected one of ${SUBMISSION_TARGETS.join(', ')}`);
  }
  const t = TARGETS[target as SubmissionTarget];
  const spec = getTask(t.task);
  if (idx.length !== predictions.length) {
    throw new GlueArgumentError(`${t.file}: expected as many predictions as idx; found ${predictions.length} and ${idx.length}`);
  }
  const expected = t.split === null ? AX_SIZE : spec.sizes[t.split]!;
  if ((options.checkSize ?? true) && idx.length !== expected) {
    throw new GlueArgumentError(`${t.file}: expected ${expected} predictions (the ${target} test set); found ${idx.length}`);
  }
  const order = Array.from({ length: idx.length }, (_, i) => i).sort((a, b) => idx[a]! - idx[b]!);
  const lines = ['index\tprediction'];
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    if (k > 0 && idx[i] === idx[order[k - 1]!]) throw new GlueArgumentError(`${t.file}: expected distinct idx; found ${idx[i]} twice`);
    lines.push(`${idx[i]}\t${format(spec, t.names, predictions[i]!, i, t.file)}`);
  }
  return { fileName: t.file, contents: `${lines.join('\n')}\n` };
}

function format(spec: TaskSpec, names: boolean, p: number, i: number, file: string): string {
  if (spec.kind === 'regression') {
    if (!Number.isFinite(p)) throw new GlueArgumentError(`${file}: expected a finite score; found ${p} at position ${i}`);
    return Math.min(5, Math.max(0, p)).toFixed(3);
  }
  if (!Number.isInteger(p) || p < 0 || p >= spec.labelNames.length) {
    throw new GlueArgumentError(`${file}: expected a class id 0..${spec.labelNames.length - 1} (${spec.labelNames.join(', ')}); found ${p} at position ${i}`);
  }
  return names ? spec.labelNames[p]! : String(p);
}
