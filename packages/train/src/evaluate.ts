import { argmax, noGrad, tidy, type Tensor } from '@edora/tensor';
import { batches, computeGlueMetrics, getTask, type Batch, type Padding, type TokenizedDataset } from '@edora/glue';
import { TrainOptionError } from './errors.js';
import { batchLoss } from './loss.js';
import type { SplitScores, ValidationScores } from './results.js';

/** What training and evaluation need from a model: logits for a collated batch, and a train/eval switch (dropout). */
export interface SequenceClassifier {
  /** [batch, numLabels] logits ([batch, 1] for a regression task such as STS-B). */
  logits(batch: Batch): Tensor;
  train(mode?: boolean): unknown;
}

export interface Evaluation {
  loss: number;
  metrics: Record<string, number>;
  /** Class ids (classification) or scores (regression), in dataset order. */
  predictions: Float64Array;
  idx: Int32Array;
}

/** Predictions, loss and metrics over a split, in eval mode without gradients (the model is left in eval mode). Unlabelled splits get predictions only. */
export async function evaluate(model: SequenceClassifier, task: string, ds: TokenizedDataset, batchSize = 64, padding: Padding = 'longest'): Promise<Evaluation> {
  const spec = getTask(task);
  model.train(false);
  const predictions = new Float64Array(ds.size);
  const idx = new Int32Array(ds.size);
  let lossSum = 0;
  let k = 0;
  for (const batch of batches(ds, { batchSize, padding })) {
    const [pred, loss] = noGrad(() => tidy(() => {
      const logits = model.logits(batch);
      const p = spec.kind === 'classification' ? argmax(logits, -1) : logits.reshape([batch.batchSize]);
      return [p, batch.labels ? batchLoss(logits, batch, spec.kind) : null] as const;
    }));
    const values = await pred.data();
    predictions.set(Array.from(values as ArrayLike<number>), k);
    idx.set(batch.idx, k);
    if (loss) lossSum += (await loss.item()) * batch.batchSize;
    pred.dispose();
    loss?.dispose();
    k += batch.batchSize;
  }
  const metrics = ds.labels ? computeGlueMetrics(task, predictions, ds.labels) : {};
  return { loss: ds.labels ? lossSum / ds.size : NaN, metrics, predictions, idx };
}

/**
 * The validation data of a run: one split, or several by split name — MNLI's
 * `validation_matched` and `validation_mismatched`, as HF run_glue evaluates both.
 */
export type ValidationData = TokenizedDataset | Readonly<Record<string, TokenizedDataset>>;

/** Validation splits with their names, in the order given, and the one whose scores are reported and rank epochs. */
export interface ValidationSplits {
  readonly reported: string;
  readonly splits: readonly (readonly [name: string, data: TokenizedDataset])[];
}

function isDataset(data: ValidationData): data is TokenizedDataset {
  return (data as TokenizedDataset).ids instanceof Int32Array && (data as TokenizedDataset).offsets instanceof Int32Array;
}

/**
 * Names and checks validation data. A single dataset is the reported split; several must include
 * the reported split: `reportedSplit`, by default the task's (`TaskSpec.reportedSplit`, e.g.
 * MNLI's `validation_matched`, the split the paper reports and HF Trainer selects the best model on).
 */
export function validationSplits(data: ValidationData, task: string, reportedSplit?: string): ValidationSplits {
  const reported = reportedSplit ?? getTask(task).reportedSplit;
  if (isDataset(data)) return { reported, splits: [[reported, data]] };
  const splits = Object.entries(data);
  if (splits.length === 0) throw new TrainOptionError('validation: expected at least one validation split; found none');
  if (!Object.hasOwn(data, reported)) {
    throw new TrainOptionError(
      `validation: expected the split ${JSON.stringify(reported)} among the validation splits (its scores are reported and rank epochs); found ${splits.map(([n]) => JSON.stringify(n)).join(', ')}`,
    );
  }
  return { reported, splits };
}

export interface ValidationEvaluation {
  /** The reported split's loss and metrics; with several splits, each split's under `splits`. */
  scores: ValidationScores;
  /** Each split's full evaluation (predictions, idx), by name, in the given order. */
  evaluations: Record<string, Evaluation>;
}

/** Evaluates every validation split (the model is left in eval mode). */
export async function evaluateValidation(
  model: SequenceClassifier,
  task: string,
  validation: ValidationSplits,
  batchSize = 64,
  padding: Padding = 'longest',
): Promise<ValidationEvaluation> {
  const evaluations: Record<string, Evaluation> = {};
  for (const [name, ds] of validation.splits) evaluations[name] = await evaluate(model, task, ds, batchSize, padding);
  const scoresOf = (e: Evaluation): SplitScores => ({ evalLoss: e.loss, metrics: e.metrics });
  const scores: ValidationScores = scoresOf(evaluations[validation.reported]!);
  if (validation.splits.length > 1) scores.splits = Object.fromEntries(validation.splits.map(([name]) => [name, scoresOf(evaluations[name]!)]));
  return { scores, evaluations };
}
