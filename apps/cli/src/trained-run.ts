import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { readSafetensorsFile } from '@edora/tensor/node';
import { tensor, type Tensor } from '@edora/tensor';
import { getTask, type TaskSpec } from '@edora/glue';
import { isRobertaPreset } from '@edora/models';
import { RUN_FILES } from '@edora/train/node';
import { UsageError } from './args.js';
import type { RunConfig, RunPaths } from './run.js';
import { TRAINED_FILE } from './run.js';
import { buildModel, numLabelsOf, type BuiltModel } from './setup.js';
import { BEST_DIR } from './trained-files.js';

export interface LoadRunOptions {
  /** The base model folder (or preset) to use instead of the recorded one (`--model`). */
  model?: string;
  /** Load the best epoch's trained tensors (`best/`) instead of the top-level ones. */
  best?: boolean;
}

/**
 * A recorded path, found from any working directory: relative to the run folder first (the folder
 * may have moved with its model), then absolute, then as recorded (runs from before paths were kept).
 */
function resolveRunPath(dir: string, recorded: string | undefined, stored: { fromRun: string; absolute: string } | undefined): string | undefined {
  if (!stored) return recorded;
  const fromRun = resolve(dir, stored.fromRun);
  if (existsSync(fromRun)) return fromRun;
  return existsSync(stored.absolute) ? stored.absolute : recorded;
}

export interface TrainedRun {
  config: RunConfig;
  spec: TaskSpec;
  built: BuiltModel;
}

/**
 * Rebuilds a finished run's model: the same base and adapters from the recorded configuration
 * (seeded, so frozen factors come out identical) with the trained tensors loaded over them.
 * Loads no data: the commands load the splits they need.
 */
export async function loadTrainedRun(dir: string, o: LoadRunOptions = {}): Promise<TrainedRun> {
  let recorded: { config: RunConfig; paths?: RunPaths };
  try {
    recorded = JSON.parse(await readFile(join(dir, RUN_FILES.results), 'utf8')) as { config: RunConfig; paths?: RunPaths };
  } catch (e) {
    throw new UsageError(`--run ${dir}: expected a finished training run (${RUN_FILES.results} from edora train); ${(e as Error).message}`);
  }
  const paths = recorded.paths ?? {};
  const at = (key: keyof RunPaths): string | undefined => resolveRunPath(dir, recorded.config[key], paths[key]);
  // the recorded configuration with its paths made reachable from here (the run key is not recomputed from it)
  const config: RunConfig = {
    ...recorded.config, model: o.model ?? at('model') ?? recorded.config.model,
    ...(recorded.config.dataDir ? { dataDir: at('dataDir') } : {}),
    ...(recorded.config.trainFile ? { trainFile: at('trainFile'), validationFile: at('validationFile') } : {}),
  };
  if (!isRobertaPreset(config.model) && !existsSync(config.model)) {
    const looked = paths.model ? `${resolve(dir, paths.model.fromRun)}, ${paths.model.absolute}` : resolve(config.model);
    throw new UsageError(`--run ${dir}: its base model ${JSON.stringify(recorded.config.model)} is not found from here (looked at ${looked}); give the base model folder with --model`);
  }
  const spec = getTask(config.task);
  const built = await buildModel({ ...config, numLabels: numLabelsOf(spec) });
  const trainedPath = o.best ? join(dir, BEST_DIR, TRAINED_FILE) : join(dir, TRAINED_FILE);
  if (o.best && !existsSync(trainedPath)) throw new UsageError(`--best-epoch: ${trainedPath} does not exist (runs before best epochs were kept have none)`);
  const stored = await readSafetensorsFile(trainedPath);
  const values = new Map<string, Tensor>();
  for (const [name, t] of stored) values.set(name, tensor(t.data as Float32Array, t.shape));
  built.model.loadStateDict(values, { strict: false });
  const trainable = built.model.namedParameters().filter(([, p]) => p.requiresGrad).map(([n]) => n);
  const missing = trainable.filter((n) => !values.has(n));
  const unexpected = [...values.keys()].filter((n) => !trainable.includes(n));
  for (const t of values.values()) t.dispose();
  if (missing.length || unexpected.length) {
    throw new UsageError(`--run ${dir}: ${TRAINED_FILE} does not fit the rebuilt model; missing: ${missing.join(', ') || '(none)'}; unexpected: ${unexpected.join(', ') || '(none)'}`);
  }
  built.model.eval();
  return { config, spec, built };
}

/**
 * A plain model folder with a sequence-classification head (a merged run, or any HF RoBERTa
 * fine-tuned for `task`), as `eval` and `predict` use it without `--run`: no adapters, eval mode.
 */
export async function loadModelFolder(folder: string, task: string, maxSeqLength: number): Promise<TrainedRun> {
  if (!existsSync(join(folder, 'config.json'))) throw new UsageError(`--model ${folder}: expected a model folder (config.json, model.safetensors and tokenizer files)`);
  const spec = getTask(task);
  const config: RunConfig = {
    task: spec.name, model: folder, method: 'full', rank: 1, alpha: 1, sigma: 0, init: 'svd', seed: 0, lr: 0, clsLr: 0, epochs: 1, batchSize: 1,
    maxSeqLength, warmupRatio: 0, weightDecay: 0, maxGradNorm: 0, gradientAccumulation: 1, padding: 'longest',
  };
  const built = await buildModel({ ...config, numLabels: numLabelsOf(spec) });
  built.model.eval();
  return { config, spec, built };
}
