import { TrainOptionError } from './errors.js';

/**
 * HF transformers' get_linear_schedule_with_warmup as a pure function of the optimizer step:
 * the lr factor rises linearly from 0 over `warmupSteps`, then falls linearly to 0 at `totalSteps`.
 * LambdaLR evaluates it at 0 before the first update and at k after k updates, so optimizer step
 * k (0-based) uses `linearWarmupDecay(k, ...)`: the very first update of a run with warmup has lr 0.
 */
export function linearWarmupDecay(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/** int(ratio · total), as the authors' scripts compute warmup (6% of the optimizer steps). */
export function warmupStepsFor(totalSteps: number, ratio = 0.06): number {
  if (!(ratio >= 0 && ratio <= 1)) throw new TrainOptionError(`warmup ratio must be in [0, 1]; found ${ratio}`);
  return Math.floor(ratio * totalSteps);
}

/** Optimizer steps of a run: epochs · ceil(ceil(N / batch) / accumulation). */
export function totalOptimizerSteps(trainSize: number, batchSize: number, epochs: number, accumulation = 1): number {
  return epochs * Math.ceil(Math.ceil(trainSize / batchSize) / accumulation);
}
