import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readSafetensorsFile } from '@edora/tensor/node';
import { tensor, type Tensor } from '@edora/tensor';
import { getTask, type TaskSpec } from '@edora/glue';
import { RUN_FILES } from '@edora/train/node';
import { UsageError } from './args.js';
import type { RunConfig } from './run.js';
import { TRAINED_FILE } from './run.js';
import { buildModel, numLabelsOf, type BuiltModel } from './setup.js';

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
export async function loadTrainedRun(dir: string): Promise<TrainedRun> {
  let config: RunConfig;
  try {
    config = (JSON.parse(await readFile(join(dir, RUN_FILES.results), 'utf8')) as { config: RunConfig }).config;
  } catch (e) {
    throw new UsageError(`--run ${dir}: expected a finished training run (${RUN_FILES.results} from edora train); ${(e as Error).message}`);
  }
  const spec = getTask(config.task);
  const built = await buildModel({ ...config, numLabels: numLabelsOf(spec) });
  const stored = await readSafetensorsFile(join(dir, TRAINED_FILE));
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
