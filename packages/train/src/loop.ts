import { getRngState, setRngState, tidy } from '@edora/tensor';
import { batchCount, batches, getTask, type Batch, type Padding, type TokenizedDataset } from '@edora/glue';
import { AdamW, type ParamGroup } from './adamw.js';
import { decodeCheckpoint, encodeCheckpoint, OPTIM_PREFIX, PARAM_PREFIX, restoreTensors, runKeyDifferences, type CheckpointMeta, type SinceEvaluation } from './checkpoint.js';
import { clipGradNorm } from './clip.js';
import { CheckpointError, TrainingInterruptedError, TrainOptionError } from './errors.js';
import { evaluateValidation, validationSplits, type SequenceClassifier, type ValidationData } from './evaluate.js';
import { evalScheduleOf, evaluatesAfter, type EvalStrategy } from './eval-strategy.js';
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
  /** Training seconds since the last evaluation (with one evaluation per epoch: of this epoch). */
  elapsedSeconds: number;
}

/** One evaluation, as logged to `epochs.jsonl` (the name from when every evaluation ended an epoch). */
export interface EpochRecord extends EpochResult {
  type: 'epoch';
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
   * Evaluated after every epoch (or as `evalStrategy` says): one split, or several by name (MNLI's
   * `validation_matched` and `validation_mismatched`). With several, each evaluation records every
   * split's scores under `splits`, and its `metrics` / `evalLoss` — which rank evaluations for
   * `best` — are the reported split's.
   */
  validation: ValidationData;
  /**
   * When to evaluate (HF's `eval_strategy`): 'epoch' (the default, the authors' protocol) after
   * every epoch; 'steps' every `evalSteps` optimizer steps, counted across epochs (with gradient
   * accumulation, optimizer steps, not batches); 'no' not during training. Whatever the strategy,
   * the last step is evaluated too when it was not already, so `results.last` is the trained
   * model's. Each evaluation is followed by a checkpoint; `best` and `earlyStoppingPatience` count
   * evaluations, so 'no' (one evaluation, at the end) takes no patience.
   */
  evalStrategy?: EvalStrategy;
  /** Optimizer steps between evaluations, with `evalStrategy: 'steps'` (and only with it). */
  evalSteps?: number;
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
   * spans them, and the last one is evaluated.
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
  /** Also checkpoint every N optimizer steps (besides each epoch end and each evaluation); 0 = only at those. */
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
 * every epoch (or as `evalStrategy` says; the best evaluation is chosen on the reported split). The data order
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
  const evalSchedule = evalScheduleOf(options.evalStrategy, options.evalSteps);
  if (patience !== undefined && evalSchedule.strategy === 'no') {
    throw new TrainOptionError(`fit: earlyStoppingPatience counts evaluations during training, and evalStrategy 'no' has none (only the final one); found earlyStoppingPatience ${patience}`);
  }
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
  const warmupSteps = options.warmupSteps ?? warmupStepsFor(totalSteps, options.warmupRatio ?? 0.06);

  let epoch = 0;
  let nextBatch = 0;
  let step = 0;
  const noSteps = (): SinceEvaluation => ({ steps: 0, lossSum: 0, tokens: 0, seconds: 0 });
  let sinceEval = noSteps();
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
    ({ epoch, nextBatch, step, sinceEval } = m);
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
      optimizer: optimizer.meta(), sinceEval: { ...sinceEval }, history: [...history],
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

  /** Evaluates after step `step`, which fell in the 1-based epoch `inEpoch`, and logs it (the model is left in eval mode). */
  const evaluateNow = async (inEpoch: number): Promise<void> => {
    const { scores } = await evaluateValidation(model, task, validation, options.evalBatchSize ?? Math.max(batchSize, 32), 'longest');
    const result: EpochResult = {
      epoch: inEpoch,
      step,
      epochFraction: step / stepsPerEpoch,
      trainLoss: sinceEval.lossSum / Math.max(1, sinceEval.steps),
      ...scores,
      tokensPerSecond: sinceEval.tokens / Math.max(sinceEval.seconds, 1e-9),
      seconds: sinceEval.seconds,
    };
    history.push(result);
    sinceEval = noSteps();
    await sink.log?.({ type: 'epoch', ...result });
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
    model.train(true);
    // a resumed run whose last step is done (its final evaluation and checkpoint too) has nothing left
    while (step < totalSteps && !stopped) {
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
        sinceEval.steps++;
        sinceEval.lossSum += stepLoss;
        sinceEval.tokens += stepTokens;
        sinceEval.seconds += seconds;
        const lr = Object.fromEntries(optimizer.groups.map((g) => [g.name, g.lr * factor]));
        await sink.log?.({
          type: 'step', epoch: epoch + 1, batch: b, batches: batchesPerEpoch, step, totalSteps, loss: stepLoss, gradNorm, lr,
          tokens: stepTokens, tokensPerSecond: stepTokens / Math.max(seconds, 1e-9), elapsedSeconds: sinceEval.seconds,
        });
        const inEpoch = epoch + 1;
        const epochEnded = b === batchesPerEpoch;
        if (epochEnded) {
          // the position a checkpoint from here resumes at: the next epoch's first batch
          epoch++;
          nextBatch = 0;
        }
        const evaluated = evaluatesAfter(evalSchedule, step, epochEnded, step >= totalSteps);
        if (evaluated) await evaluateNow(inEpoch);
        // after the evaluation, so a resume from here does not evaluate this step again
        if (evaluated || epochEnded || (checkpointEvery > 0 && step % checkpointEvery === 0)) await saveCheckpoint();
        if (evaluated) stopEarly();
        if (stopped || step >= totalSteps) break;
        if (evaluated) model.train(true);
        t0 = now();
      }
    }
  } finally {
    optimizer.zeroGrad();
    optimizer.dispose();
  }
  return summarize(history, { steps: step, mainMetric, stopped, ...(validation.splits.length > 1 ? { reportedSplit: validation.reported } : {}) });
}
