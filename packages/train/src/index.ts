/**
 * @edora/train — AdamW (PyTorch semantics, parameter groups), linear warmup/decay, gradient
 * clipping and accumulation, the fine-tuning loop with evaluation per epoch or every N steps, checkpoints that
 * resume exactly, results and plots. Browser-safe; run directories on disk live in `@edora/train/node`.
 */
export * from './errors.js';
export { AdamW, type AdamWOptions, type AdamWParamState, type AdamWStateMeta, type NamedParameter, type ParamGroup } from './adamw.js';
export { linearWarmupDecay, totalOptimizerSteps, warmupStepsFor } from './schedule.js';
export { clipGradNorm } from './clip.js';
export {
  CHECKPOINT_FORMAT, CHECKPOINT_METADATA_KEY, OPTIM_PREFIX, PARAM_PREFIX,
  decodeCheckpoint, encodeCheckpoint, restoreTensors, runKeyDifferences, type CheckpointMeta, type DecodedCheckpoint, type SinceEvaluation,
} from './checkpoint.js';
export { EVAL_STRATEGIES, evalScheduleOf, evaluatesAfter, type EvalSchedule, type EvalStrategy } from './eval-strategy.js';
export { batchLoss } from './loss.js';
export { isOutOfMemory, splitBatch } from './micro-batch.js';
export {
  evaluate, evaluateValidation, validationSplits,
  type Evaluation, type SequenceClassifier, type ValidationData, type ValidationEvaluation, type ValidationSplits,
} from './evaluate.js';
export { fit, type EpochRecord, type FitOptions, type StepRecord, type TrainSink } from './loop.js';
export {
  LOSS_METRIC, isBetter, mainMetricOf, metricChoices, metricValue, shouldStopEarly, summarize,
  type EpochResult, type RunResults, type SplitScores, type SummaryOptions, type ValidationScores,
} from './results.js';
export { plotSvg, type PlotSteps } from './plot.js';
