import { join } from 'node:path';
import { getBackend } from '@edora/tensor';
import { writeSafetensorsFile } from '@edora/tensor/node';
import { decodeCheckpoint, fit, type RunResults, type StepRecord } from '@edora/train';
import { runDirectorySink, writeRunResults, writingFile } from '@edora/train/node';
import { saveAdapter } from '@edora/layers/node';
import { ADAPTER_DIR, TRAINED_FILE, takeRunFolder } from './run-folder.js';
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
  padding: 'max_length' | 'longest';
  syntheticTrain?: number;
  syntheticValidation?: number;
  /** Skip malformed data rows (reported) instead of failing; absent when off, so older run keys stay valid. */
  skipMalformed?: true;
  /** What ranks epochs (`metricChoices`); absent for the task's own, the paper's, so older run keys stay valid. */
  metricForBest?: string;
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
   * Take the folder's lock whoever holds it: for callers that already own the run by other means (a
   * queue worker holding the job's lock), where a lock left by a worker on another host is stale.
   */
  takeOverLock?: boolean;
}

export interface RunSummary {
  config: RunConfig;
  outputDir: string;
  trainable: number;
  results: RunResults;
  seconds: number;
  backend: string;
  dataSource: string;
  modelSource: string;
}

/** `TRAINED_FILE`: the trained tensors (adapter factors, magnitudes, head) under their model paths; `ADAPTER_DIR`: the PEFT adapter folder. */
export { ADAPTER_DIR, TRAINED_FILE } from './run-folder.js';

/** The run key: the configuration with keys in a fixed order, so equal configurations give equal keys. */
export function runKeyOf(config: RunConfig): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b))));
}

/** One fine-tuning run end to end: data, model and adapters, the loop, and the files of its output directory. */
export async function runTraining(config: RunConfig, o: RunOptions): Promise<RunSummary> {
  const started = Date.now();
  await checkModelFits(config);
  const runKey = runKeyOf(config);
  const { lock, resumeBytes } = await takeRunFolder(o.outputDir, { resume: o.resume, overwrite: o.overwrite ?? false, runKey, command: o.command, takeOverLock: o.takeOverLock ?? false, progress: o.progress });
  try {
    return await trainInto(config, o, runKey, resumeBytes, started);
  } finally {
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
  o.progress.message(`${config.method} r=${config.rank} on ${splits.source}: ${train.size} train / ${validationSizes.length === 1 ? `${validationSizes[0]![1].size} validation` : validationSizes.map(([name, ds]) => `${ds.size} ${name}`).join(' + ')} examples, ${built.trainable.toLocaleString('en-US')} trainable parameters, backend ${getBackend().name}`);
  const results = await fit({
    model: built.classifier,
    groups: built.groups(config.lr, config.clsLr),
    task: splits.spec.name,
    ...(config.metricForBest === undefined ? {} : { metricForBest: config.metricForBest }),
    train, validation,
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    padding: config.padding,
    warmupRatio: config.warmupRatio,
    weightDecay: config.weightDecay,
    maxGradNorm: config.maxGradNorm,
    gradientAccumulation: config.gradientAccumulation,
    checkpointEvery: o.checkpointEvery,
    resume: resumeBytes ?? undefined,
    runKey,
    ...(o.signal ? { signal: o.signal } : {}),
    sink: {
      log: async (r) => {
        await files.log!(r);
        if (r.type === 'step') {
          o.progress.step(r);
          o.onStep?.(r);
        } else o.progress.epoch(r);
      },
      checkpoint: files.checkpoint,
    },
  });
  const trained: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, p] of built.model.namedParameters()) {
    if (p.requiresGrad) trained[name] = { dtype: 'F32', shape: [...p.shape], data: (await p.data()) as Float32Array };
  }
  const trainedPath = join(o.outputDir, TRAINED_FILE);
  await writingFile(trainedPath, () => writeSafetensorsFile(trainedPath, trained));
  // the PEFT-format adapter folder, loadable by HF PEFT (LoRA, DoRA) and by @edora/layers
  const adapterPath = join(o.outputDir, ADAPTER_DIR);
  if (built.adapters) await writingFile(adapterPath, () => saveAdapter(built.model, adapterPath), 'write the adapter folder');
  const seconds = (Date.now() - started) / 1000;
  const summary: RunSummary = {
    config, outputDir: o.outputDir, trainable: built.trainable, results, seconds, backend: getBackend().name,
    dataSource: splits.source, modelSource: built.source,
  };
  await writeRunResults(o.outputDir, results, `${config.task} · ${config.method} r=${config.rank} · seed ${config.seed}`, {
    config, trainable: built.trainable, seconds, backend: summary.backend, data: splits.source, model: built.source,
    ...(config.skipMalformed ? { skippedMalformedRows: skippedRows } : {}),
  });
  return summary;
}
