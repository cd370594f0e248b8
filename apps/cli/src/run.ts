import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isRobertaPreset } from '@edora/models';
import { getBackend } from '@edora/tensor';
import { decodeCheckpoint, fit, isBetter, mainMetricOf, metricValue, summarize, type EvalStrategy, type RunResults, type StepRecord } from '@edora/train';
import { runDirectorySink, writeRunResults } from '@edora/train/node';
import { TRAIN_LOG, takeRunFolder } from './run-folder.js';
import { BEST_DIR, copyTrainedFiles, keepNumberedCheckpoint, writeBestEpoch, writeTrainedFiles } from './trained-files.js';
import { Progress } from './progress.js';
import { loadSplits, tokenize, tokenizeSplits } from './data.js';
import { buildModel, checkModelFits, numLabelsOf, type ModelOptions } from './setup.js';

/** Everything that defines one training run; its JSON is the run key a resume must match. */
export interface RunConfig extends Omit<ModelOptions, 'numLabels'> {
  task: string;
  dataDir?: string;
  trainFile?: string;
  validationFile?: string;
  lr: number;
  clsLr: number;
  epochs: number;
  batchSize: number;
  maxSeqLength: number;
  maxTrainSamples?: number;
  maxEvalSamples?: number;
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  gradientAccumulation: number;
  /** Rows per forward/backward pass (fit's microBatchSize); absent: 'auto'. */
  microBatchSize?: number;
  padding: 'max_length' | 'longest';
  syntheticTrain?: number;
  syntheticValidation?: number;
  /** Skip malformed data rows (reported) instead of failing; absent when off, so older run keys stay valid. */
  skipMalformed?: true;
  /** What ranks epochs (`metricChoices`); absent for the task's own, the paper's, so older run keys stay valid. */
  metricForBest?: string;
  /** Stop after this many evaluations without a better `metricForBest`; absent: never (older run keys stay valid). */
  earlyStoppingPatience?: number;
  /** When evaluations happen (fit's evalStrategy); absent: after every epoch, the authors' (older run keys stay valid). */
  evalStrategy?: Exclude<EvalStrategy, 'epoch'>;
  /** Optimizer steps between evaluations, with `evalStrategy: 'steps'`. */
  evalSteps?: number;
  /** Optimizer steps to train, overriding `epochs` (HF's max_steps); absent: `epochs` decide. */
  maxSteps?: number;
  /** Warmup steps instead of `warmupRatio`; absent: the ratio. */
  warmupSteps?: number;
}

export interface RunOptions {
  outputDir: string;
  resume: boolean;
  /** Replace a run the output folder already holds (`--overwrite-output-dir`); without it such a folder is refused. */
  overwrite?: boolean;
  checkpointEvery: number;
  progress: Progress;
  /**
   * Stops training after the current step with a checkpoint of it (Ctrl-C): `runTraining` rejects with
   * `TrainingInterruptedError`.
   */
  signal?: AbortSignal;
  /** Called after each optimizer step, after the step is logged (a queue worker reports progress with it). */
  onStep?: (r: StepRecord) => void;
  /** The command line, named to another run that finds the folder in use. */
  command?: string;
  /**
   * The top-level `trained.safetensors` and `adapter/` (what eval, predict and merge use) hold the
   * best evaluation's instead of the last's. Off by default: the EDoRA authors report the last epoch.
   */
  loadBestAtEnd?: boolean;
  /** Also keep numbered checkpoints (`checkpoints/checkpoint-<step>.safetensors`), at most this many, the best evaluation's always. */
  saveTotalLimit?: number;
  /**
   * Take the folder's lock whoever holds it: for callers that already own the run by other means (a
   * queue worker holding the job's lock), where a lock left by a worker on another host is stale.
   */
  takeOverLock?: boolean;
}

/**
 * The run's model and data paths as seen from its folder (and absolute), so `eval`, `predict` and
 * `merge` find them from any working directory, and after the run folder moved with them.
 */
export type RunPaths = Partial<Record<'model' | 'dataDir' | 'trainFile' | 'validationFile', { fromRun: string; absolute: string }>>;

function runPaths(outputDir: string, config: RunConfig): RunPaths {
  const out: RunPaths = {};
  for (const key of ['model', 'dataDir', 'trainFile', 'validationFile'] as const) {
    const p = config[key];
    if (p === undefined || (key === 'model' && isRobertaPreset(p) && !existsSync(p))) continue;
    out[key] = { fromRun: relative(resolve(outputDir), resolve(p)) || '.', absolute: resolve(p) };
  }
  return out;
}

export interface RunSummary {
  config: RunConfig;
  outputDir: string;
  trainable: number;
  results: RunResults;
  /** Which evaluation the top-level trained files hold (`from: 'last'`, the paper's, unless `loadBestAtEnd`): its epoch and step. */
  trainedEpoch?: TrainedEvaluation;
  seconds: number;
  backend: string;
  dataSource: string;
  modelSource: string;
}

/** `TRAINED_FILE`: the trained tensors (adapter factors, magnitudes, head) under their model paths; `ADAPTER_DIR`: the PEFT adapter folder. */
export { ADAPTER_DIR, TRAINED_FILE } from './run-folder.js';


/** Which evaluation's tensors a run folder's top-level trained files hold; null epoch and step when the run made none. */
export interface TrainedEvaluation {
  from: 'last' | 'best';
  epoch: number | null;
  step: number | null;
}

/**
 * Every resolved setting of a run, in the run key's order: what a reader needs to reproduce it.
 * The eval strategy is named even when it is the default, which the run key leaves out.
 */
export function resolvedOptions(config: RunConfig): Record<string, unknown> {
  return sortedSettings({ ...config, evalStrategy: config.evalStrategy ?? 'epoch' });
}

/** `resolvedOptions` as `key=value` words. */
export function resolvedOptionsText(config: RunConfig): string {
  return Object.entries(resolvedOptions(config)).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join(' ');
}

/** The settings that are set, keys in a fixed (sorted) order. */
function sortedSettings(settings: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)));
}

/** The run key: the configuration with keys in a fixed order, so equal configurations give equal keys. */
export function runKeyOf(config: RunConfig): string {
  return JSON.stringify(sortedSettings(config));
}

/** One fine-tuning run end to end: data, model and adapters, the loop, and the files of its output directory. */
export async function runTraining(config: RunConfig, o: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  await checkModelFits(config);
  const runKey = runKeyOf(config);
  const { lock, resumeBytes } = await takeRunFolder(o.outputDir, { resume: o.resume, overwrite: o.overwrite ?? false, runKey, command: o.command, takeOverLock: o.takeOverLock ?? false, progress: o.progress });
  o.progress.logTo(join(o.outputDir, TRAIN_LOG));
  try {
    o.progress.message(`${config.task}: ${o.resume ? 'resuming' : 'training'} with ${resolvedOptionsText(config)}`);
    return await trainInto(config, o, runKey, resumeBytes, started);
  } finally {
    o.progress.logTo(null);
    await lock.release();
  }
}

async function trainInto(config: RunConfig, o: RunOptions, runKey: string, resumeBytes: Uint8Array | null, started: number): Promise<RunSummary> {
  let skippedRows = 0;
  const splits = await loadSplits({
    ...config,
    onSkipped: (rows) => {
      skippedRows += rows.count;
      o.progress.message(rows.summary());
    },
  });
  const built = await buildModel({ ...config, numLabels: numLabelsOf(splits.spec) });
  const train = tokenize(splits.train, built.tokenizer, splits.spec, config.maxSeqLength);
  const validation = tokenizeSplits(splits.validation, built.tokenizer, splits.spec, config.maxSeqLength);
  const validationSizes = Object.entries(validation);
  const files = await runDirectorySink(o.outputDir, resumeBytes ? decodeCheckpoint(resumeBytes).meta : undefined);
  if (resumeBytes) o.progress.message(`resuming from step ${decodeCheckpoint(resumeBytes).meta.step}`);
  o.progress.message(`${splits.spec.name}: ${config.method} r=${config.rank} on ${splits.source}: ${train.size} train / ${validationSizes.length === 1 ? `${validationSizes[0]![1].size} validation` : validationSizes.map(([name, ds]) => `${ds.size} ${name}`).join(' + ')} examples, ${built.trainable.toLocaleString('en-US')} trainable parameters, backend ${getBackend().name}`);
  // the best evaluation so far (from the checkpoint's history when resuming) decides when best/ is
  // rewritten, and its numbered checkpoint is the one --save-total-limit keeps
  const mainMetric = mainMetricOf(splits.spec.name, config.metricForBest);
  const resumedHistory = resumeBytes ? decodeCheckpoint(resumeBytes).meta.history : [];
  let best = summarize(resumedHistory, { steps: 0, mainMetric }).best;
  let bestStep: number | null = best?.step ?? null;
  const baseName = isRobertaPreset(config.model) ? config.model : resolve(config.model);
  const results = await fit({
    model: built.classifier,
    groups: built.groups(config.lr, config.clsLr),
    task: splits.spec.name,
    ...(config.metricForBest === undefined ? {} : { metricForBest: config.metricForBest }),
    ...(config.earlyStoppingPatience === undefined ? {} : { earlyStoppingPatience: config.earlyStoppingPatience }),
    ...(config.evalStrategy === undefined ? {} : { evalStrategy: config.evalStrategy }),
    ...(config.evalSteps === undefined ? {} : { evalSteps: config.evalSteps }),
    train, validation,
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    padding: config.padding,
    warmupRatio: config.warmupRatio,
    ...(config.warmupSteps === undefined ? {} : { warmupSteps: config.warmupSteps }),
    ...(config.maxSteps === undefined ? {} : { maxSteps: config.maxSteps }),
    weightDecay: config.weightDecay,
    maxGradNorm: config.maxGradNorm,
    gradientAccumulation: config.gradientAccumulation,
    microBatchSize: config.microBatchSize ?? 'auto',
    checkpointEvery: o.checkpointEvery,
    resume: resumeBytes ?? undefined,
    runKey,
    ...(o.signal ? { signal: o.signal } : {}),
    sink: {
      note: (text) => o.progress.message(`${splits.spec.name}: ${text}`),
      log: async (r) => {
        await files.log!(r);
        if (r.type === 'step') {
          o.progress.step(r);
          o.onStep?.(r);
          return;
        }
        o.progress.epoch(r);
        // logged before the checkpoint that covers this evaluation, so best/ is never behind a checkpoint
        if (!best || isBetter(mainMetric, metricValue(r, mainMetric), metricValue(best, mainMetric))) {
          best = r;
          bestStep = r.step;
          await writeTrainedFiles(built.model, join(o.outputDir, BEST_DIR), built.adapters !== null, baseName);
          await writeBestEpoch(o.outputDir, { epoch: r.epoch, step: r.step, epochFraction: r.epochFraction, metric: mainMetric, value: metricValue(r, mainMetric) });
        }
      },
      checkpoint: async (bytes, meta) => {
        await files.checkpoint!(bytes, meta);
        if (o.saveTotalLimit !== undefined) await keepNumberedCheckpoint(o.outputDir, bytes, meta.step, o.saveTotalLimit, bestStep);
      },
    },
  });
  await writeTrainedFiles(built.model, o.outputDir, built.adapters !== null, baseName);
  // the paper reports the last epoch; --load-best-at-end puts the best evaluation's at the top instead
  const useBest = o.loadBestAtEnd === true && results.best !== null && results.last !== null && results.best.step !== results.last.step;
  if (useBest) await copyTrainedFiles(join(o.outputDir, BEST_DIR), o.outputDir);
  const trained = o.loadBestAtEnd ? results.best : results.last;
  const adapterEpoch: TrainedEvaluation = { from: o.loadBestAtEnd ? 'best' : 'last', epoch: trained?.epoch ?? null, step: trained?.step ?? null };
  const seconds = (Date.now() - started) / 1000;
  const summary: RunSummary = {
    config, outputDir: o.outputDir, trainable: built.trainable, results, trainedEpoch: adapterEpoch, seconds, backend: getBackend().name,
    dataSource: splits.source, modelSource: built.source,
  };
  await writeRunResults(o.outputDir, results, `${config.task} · ${config.method} r=${config.rank} · seed ${config.seed}`, {
    config, trainable: built.trainable, seconds, backend: summary.backend, data: splits.source, model: built.source,
    ...(config.skipMalformed ? { skippedMalformedRows: skippedRows } : {}),
    trainedEpoch: adapterEpoch, paths: runPaths(o.outputDir, config),
  });
  return summary;
}
