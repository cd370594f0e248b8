import { getRngState, setRngState, tidy } from '@edora/tensor';
import { batchCount, batches, getTask, type Batch, type Padding, type TokenizedDataset } from '@edora/glue';
import { AdamW, type ParamGroup } from './adamw.js';
import { decodeCheckpoint, encodeCheckpoint, OPTIM_PREFIX, PARAM_PREFIX, restoreTensors, runKeyDifferences, type CheckpointMeta } from './checkpoint.js';
import { clipGradNorm } from './clip.js';
import { CheckpointError, TrainingInterruptedError, TrainOptionError } from './errors.js';
import { evaluateValidation, validationSplits, type SequenceClassifier, type ValidationData } from './evaluate.js';
import { batchLoss } from './loss.js';
import { isOutOfMemory, splitBatch } from './micro-batch.js';
import { mainMetricOf, shouldStopEarly, summarize, type EpochResult, type RunResults } from './results.js';
import { linearWarmupDecay, totalOptimizerSteps, warmupStepsFor } from './schedule.js';

/** One optimizer step, as logged to `steps.jsonl` and handed to progress displays. */
export interface StepRecord {
  type: 'step';
  epoch: number;
  /** 1-based batch of the epoch that completed this step, and the epoch's batch count. */
  batch: number;
  batches: number;
  step: number;
  totalSteps: number;
  loss: number;
  gradNorm: number;
  /** Each group's learning rate used by this step. */
  lr: Record<string, number>;
  tokens: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
}

export interface EpochRecord extends EpochResult {
  type: 'epoch';
  step: number;
}

/**
 * Where the loop's outputs go. Browser-safe: the Node entry's `runDirectorySink` writes files;
 * tests may keep everything in memory.
 */
export interface TrainSink {
  log?(record: StepRecord | EpochRecord): void | Promise<void>;
  /** Receives a complete checkpoint; it must be stored atomically (a crash leaves the previous one). */
  checkpoint?(bytes: Uint8Array, meta: CheckpointMeta): void | Promise<void>;
  /** A line for the user about how the run proceeds (the micro-batch size chosen after an out-of-memory). */
  note?(text: string): void | Promise<void>;
}

export interface FitOptions {
  model: SequenceClassifier;
  /** Parameter groups (e.g. head and adapters, each with its own lr). */
  groups: ParamGroup[];
  /** Task name (@edora/glue) for the loss kind and the metrics. */
  task: string;
  train: TokenizedDataset;
  /**
   * Evaluated after every epoch: one split, or several by name (MNLI's `validation_matched` and
   * `validation_mismatched`). With several, each epoch records every split's scores under
   * `splits`, and its `metrics` / `evalLoss` — which rank epochs for `best` — are the reported split's.
   */
  validation: ValidationData;
  /** The validation split that is reported and ranks epochs; default the task's (`TaskSpec.reportedSplit`). */
  reportedSplit?: string;
  /** The metric that ranks epochs (`metricChoices(task)`); default the task's `mainMetric`, the paper's. */
  metricForBest?: string;
  /**
   * Stop after this many evaluations in a row without a better `metricForBest` than the best so far
   * (HF's `early_stopping_patience`); `results.stopped` says so. The schedule still spans `epochs`,
   * as in HF. Default: never.
   */
  earlyStoppingPatience?: number;
  epochs: number;
  batchSize: number;
  /** Seeds the data order (which, per epoch, depends only on seed and epoch). */
  seed: number;
  /** The authors pad every batch to max length; 'longest' is faster and gives the same math. Default 'max_length'. */
  padding?: Padding;
  evalBatchSize?: number;
  warmupRatio?: number;
  /** Warmup steps, replacing `warmupRatio` (HF's `warmup_steps`). */
  warmupSteps?: number;
  /**
   * Train exactly this many optimizer steps, overriding `epochs` (HF's `max_steps`): the schedule
   * spans them, and the epoch they end in is evaluated when they end.
   */
  maxSteps?: number;
  /** Gradient-norm clipping; default 1.0; 0 or Infinity disables. */
  maxGradNorm?: number;
  gradientAccumulation?: number;
  /**
   * Rows per forward/backward pass: each batch runs as micro-batches of at most this many rows
   * whose gradients add up to the whole batch's (each loss weighted by its share of the rows), so
   * the optimizer step, the schedule and the step count are those of the whole batch. It cuts the
   * activation memory, which grows with the rows. 'auto' (the default) runs whole batches and, when
   * the backend runs out of memory (`BackendError.outOfMemory`) in a forward or backward pass,
   * drops that step's gradients, restores its random stream, halves the rows and runs the step
   * again, telling `sink.note`. With dropout, micro-batches draw their masks in another order than
   * the whole batch: an equally valid run, not the same one (without dropout, equal within float32 rounding).
   */
  microBatchSize?: number | 'auto';
  weightDecay?: number;
  /** Also checkpoint every N optimizer steps (besides each epoch end); 0 = only at epoch ends. */
  checkpointEvery?: number;
  /** Checkpoint bytes to continue from. */
  resume?: Uint8Array;
  /** Names the run's configuration: a resume whose checkpoint has another key is refused. */
  runKey?: string;
  sink?: TrainSink;
  /**
   * Stops training (Ctrl-C): checked before each optimizer step starts, so the state is that of the
   * last finished step; a checkpoint of it is saved (when `sink.checkpoint` exists) and fit rejects
   * with `TrainingInterruptedError`. A resume from that checkpoint continues exactly.
   */
  signal?: AbortSignal;
}

function checkInt(name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new TrainOptionError(`fit: expected ${name} to be an integer ≥ ${min}; found ${v}`);
}

const now = (): number => (globalThis.performance?.now() ?? Date.now()) / 1000;

/**
 * Fine-tunes `model` as the EDoRA authors ran GLUE: AdamW over parameter groups, linear warmup
 * (int(ratio·T) steps) and decay, gradient clipping, evaluation of every validation split after
 * every epoch (the best epoch is chosen on the reported split). The data order
 * of an epoch depends only on (seed, epoch), and every checkpoint stores the position in it, the
 * schedule, the optimizer and the random stream, so a resumed run takes exactly the steps the
 * uninterrupted one would. The caller seeds the random stream (`manualSeed`) before building the
 * model; dropout draws from it.
 *
 * A non-finite loss stops training before that step is applied: the parameters keep their last
 * good values, no checkpoint is written over the last good one, and `results.stopped` says why.
 */
export async function fit(options: FitOptions): Promise<RunResults> {
  const { model, task, train, epochs, batchSize, seed, sink = {} } = options;
  const spec = getTask(task);
  checkInt('epochs', epochs, 1);
  checkInt('batchSize', batchSize, 1);
  const accumulation = options.gradientAccumulation ?? 1;
  checkInt('gradientAccumulation', accumulation, 1);
  const autoMicro = (options.microBatchSize ?? 'auto') === 'auto';
  if (!autoMicro) checkInt('microBatchSize', options.microBatchSize as number, 1);
  let microRows = autoMicro ? batchSize : (options.microBatchSize as number);
  const checkpointEvery = options.checkpointEvery ?? 0;
  checkInt('checkpointEvery', checkpointEvery, 0);
  const patience = options.earlyStoppingPatience;
  if (patience !== undefined) checkInt('earlyStoppingPatience', patience, 1);
  if (!train.labels) throw new TrainOptionError('fit: the training split has no labels');
  if (train.size === 0) throw new TrainOptionError('fit: the training split is empty');
  const validation = validationSplits(options.validation, task, options.reportedSplit);
  const mainMetric = mainMetricOf(task, options.metricForBest);
  const padding = options.padding ?? 'max_length';
  const maxGradNorm = options.maxGradNorm ?? 1.0;
  const runKey = options.runKey ?? '';

  const optimizer = new AdamW(options.groups, { weightDecay: options.weightDecay ?? 0.01 });
  const params = new Map(optimizer.parameters().map((p) => [p.name, p.tensor]));
  const batchesPerEpoch = batchCount(train.size, batchSize);
  if (options.maxSteps !== undefined) checkInt('maxSteps', options.maxSteps, 1);
  if (options.warmupSteps !== undefined) checkInt('warmupSteps', options.warmupSteps, 0);
  const stepsPerEpoch = totalOptimizerSteps(train.size, batchSize, 1, accumulation);
  const totalSteps = options.maxSteps ?? totalOptimizerSteps(train.size, batchSize, epochs, accumulation);
  const epochCount = options.maxSteps === undefined ? epochs : Math.ceil(options.maxSteps / stepsPerEpoch);
  const warmupSteps = options.warmupSteps ?? warmupStepsFor(totalSteps, options.warmupRatio ?? 0.06);

  let epoch = 0;
  let nextBatch = 0;
  let step = 0;
  let epochLosses: number[] = [];
  let epochTokens = 0;
  let epochSeconds = 0;
  const history: EpochResult[] = [];

  if (options.resume) {
    const decoded = decodeCheckpoint(options.resume);
    const m = decoded.meta;
    if (m.runKey !== runKey) {
      throw new CheckpointError(`resume: the checkpoint was written by a run with another configuration: ${runKeyDifferences(m.runKey, runKey).join('; ')}`);
    }
    if (m.totalSteps !== totalSteps) throw new CheckpointError(`resume: the checkpoint's run has ${m.totalSteps} optimizer steps, this one ${totalSteps}`);
    restoreTensors(decoded, PARAM_PREFIX, params);
    restoreTensors(decoded, OPTIM_PREFIX, optimizer.momentTensors());
    optimizer.loadMeta(m.optimizer);
    setRngState(m.rng);
    ({ epoch, nextBatch, step, epochLosses, epochTokens, epochSeconds } = m);
    // the size an out-of-memory chose before: the resumed run draws dropout as the first one did
    if (autoMicro && m.microBatchSize !== undefined) microRows = m.microBatchSize;
    history.push(...m.history);
  }

  let savedStep = -1;
  const saveCheckpoint = async (): Promise<void> => {
    if (!sink.checkpoint) return;
    savedStep = step;
    const meta: CheckpointMeta = {
      format: 1, runKey, epoch, nextBatch, step, totalSteps, warmupSteps, rng: getRngState(),
      optimizer: optimizer.meta(), epochLosses, epochTokens, epochSeconds, history,
      ...(microRows < batchSize ? { microBatchSize: microRows } : {}),
    };
    await sink.checkpoint(await encodeCheckpoint(meta, params, optimizer.momentTensors()), meta);
  };

  /** Forward and backward of one step's batches (each as micro-batches of `microRows`): the gradients summed in the parameters, the step's mean loss. */
  const backwardStep = async (stepBatches: Batch[]): Promise<{ loss: number; tokens: number }> => {
    let loss = 0;
    let tokens = 0;
    for (const batch of stepBatches) {
      for (const part of splitBatch(batch, microRows)) {
        // the mean over the accumulated batches, as HF Trainer divides each loss by the count;
        // a micro-batch's mean counts by its share of its batch's rows
        const share = part.batchSize / batch.batchSize;
        const weight = share / stepBatches.length;
        const l = tidy(() => {
          const l = batchLoss(model.logits(part), part, spec.kind);
          (weight === 1 ? l : l.mul(weight)).backward();
          return l.detach();
        });
        const value = await l.item();
        l.dispose();
        loss += (value * share) / stepBatches.length;
      }
      tokens += batch.batchSize * batch.seqLength;
    }
    return { loss, tokens };
  };
  /** `backwardStep`, run again with half the rows after an out-of-memory while microBatchSize is 'auto'. */
  const accumulateGradients = async (stepBatches: Batch[]): Promise<{ loss: number; tokens: number }> => {
    const rng = getRngState();
    for (;;) {
      try {
        return await backwardStep(stepBatches);
      } catch (err) {
        if (!autoMicro || !isOutOfMemory(err) || microRows === 1) throw err;
        // nothing is applied yet: drop the partial gradients and replay the step's random stream
        optimizer.zeroGrad();
        setRngState(rng);
        const before = microRows;
        microRows = Math.ceil(microRows / 2);
        await sink.note?.(
          `out of backend memory with ${before} rows per pass; running each batch of ${batchSize} as micro-batches of ${microRows} ` +
            `(the gradients add up to the whole batch's; set the micro-batch size to choose it)`,
        );
      }
    }
  };

  const trainable = [...params.values()];
  let stopped: RunResults['stopped'] = null;
  const stopEarly = (): void => {
    if (patience !== undefined && history.length > 0 && shouldStopEarly(history, mainMetric, patience)) {
      stopped = { reason: 'early-stopping', step, epoch: history.at(-1)!.epoch, patience };
    }
  };
  stopEarly(); // a resumed run that had already stopped early stays stopped
  try {
    while (epoch < epochCount && !stopped) {
      model.train(true);
      const epochBatches = batches(train, { batchSize, padding, shuffle: true, seed, epoch });
      let b = 0;
      let pending: Batch[] = [];
      let inThisStep = 0;
      let t0 = now();
      for (const batch of epochBatches) {
        if (b++ < nextBatch) continue;
        if (pending.length === 0) {
          if (options.signal?.aborted) {
            // between steps: parameters, optimizer, position and random stream are those of step `step`
            if (savedStep !== step) await saveCheckpoint();
            throw new TrainingInterruptedError(step, sink.checkpoint !== undefined);
          }
          inThisStep = Math.min(accumulation, batchesPerEpoch - (b - 1));
        }
        pending.push(batch);
        if (pending.length < inThisStep) continue;
        const { loss: stepLoss, tokens: stepTokens } = await accumulateGradients(pending);
        pending = [];

        if (!Number.isFinite(stepLoss)) {
          stopped = { reason: 'nonfinite-loss', step: step + 1, loss: stepLoss };
          optimizer.zeroGrad();
          break;
        }
        const gradNorm = maxGradNorm > 0 && Number.isFinite(maxGradNorm) ? await clipGradNorm(trainable, maxGradNorm) : NaN;
        const factor = linearWarmupDecay(step, warmupSteps, totalSteps);
        optimizer.step(factor);
        optimizer.zeroGrad();
        step++;
        nextBatch = b;
        const seconds = now() - t0;
        t0 = now();
        epochSeconds += seconds;
        epochTokens += stepTokens;
        epochLosses.push(stepLoss);
        const lr = Object.fromEntries(optimizer.groups.map((g) => [g.name, g.lr * factor]));
        await sink.log?.({
          type: 'step', epoch: epoch + 1, batch: b, batches: batchesPerEpoch, step, totalSteps, loss: stepLoss, gradNorm, lr,
          tokens: stepTokens, tokensPerSecond: stepTokens / Math.max(seconds, 1e-9), elapsedSeconds: epochSeconds,
        });
        if (step >= totalSteps) break; // maxSteps reached inside this epoch
        if (checkpointEvery > 0 && step % checkpointEvery === 0 && b < batchesPerEpoch) await saveCheckpoint();
      }
      if (stopped) break;

      const { scores } = await evaluateValidation(model, task, validation, options.evalBatchSize ?? Math.max(batchSize, 32), 'longest');
      const result: EpochResult = {
        epoch: epoch + 1,
        trainLoss: epochLosses.reduce((s, x) => s + x, 0) / Math.max(1, epochLosses.length),
        ...scores,
        tokensPerSecond: epochTokens / Math.max(epochSeconds, 1e-9),
        seconds: epochSeconds,
      };
      history.push(result);
      epoch++;
      nextBatch = 0;
      epochLosses = [];
      epochTokens = 0;
      epochSeconds = 0;
      await sink.log?.({ type: 'epoch', step, ...result });
      await saveCheckpoint();
      stopEarly();
    }
  } finally {
    optimizer.zeroGrad();
    optimizer.dispose();
  }
  return summarize(history, { steps: step, mainMetric, stopped, ...(validation.splits.length > 1 ? { reportedSplit: validation.reported } : {}) });
}
