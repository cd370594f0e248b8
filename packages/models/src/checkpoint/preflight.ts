import { shapeStr } from '@edora/tensor';
import type { RobertaConfig } from '../config/roberta-config.js';
import { CheckpointError, MissingWeightsError } from './errors.js';
import { checkCheckpointFits, type LoadWeightsOptions } from './load.js';
import { robertaParameterCount, robertaParameterShapes } from './parameter-shapes.js';
import type { RobertaTask } from './pretrained.js';
import type { TensorSource } from './source.js';

/** Default bound on the parameters a load may create fresh: 2^25 (128 MiB of float32). */
export const DEFAULT_MAX_NEW_PARAMETERS = 2 ** 25;
/** Parameter tensors a load may create beyond the checkpoint's: a head, a few layers. */
const MAX_NEW_TENSORS = 4096;

export interface PreflightOptions extends Pick<LoadWeightsOptions, 'allowMissing' | 'strict'> {
  /** Elements of parameters the checkpoint lacks (heads, with allowMissing any weight) that a load may create. */
  maxNewParameters?: number;
}

/**
 * Checks a config against a checkpoint's header before a model is built: config.json is tiny and
 * may come from a stranger, so its sizes are trusted only once the weights agree. In order, each
 * step bounding the cost of the next: the number of parameter tensors against the checkpoint's
 * (closed form, so 4 million layers are never listed; too many layers is a MissingWeightsError
 * naming the first missing one); then every
 * parameter's shape and dtype against the header; and the elements of what would be created
 * fresh against `maxNewParameters`.
 */
export function preflightLoad(config: RobertaConfig, task: RobertaTask, source: TensorSource, options: PreflightOptions = {}): void {
  const { tensors } = robertaParameterCount(config, task);
  const tooMany = tensors > source.tensors.size + MAX_NEW_TENSORS;
  const stored = checkpointLayers(source);
  if (tooMany && !options.allowMissing && config.numHiddenLayers > stored) {
    // the names of the first missing layer stand for the rest, which are never listed
    const firstMissing = [...robertaParameterShapes({ ...config, numHiddenLayers: stored + 1 }, task)].map(([n]) => n).filter((n) => n.includes(`encoder.layer.${stored}.`));
    throw new MissingWeightsError(
      firstMissing,
      `${source.description}: the config's num_hidden_layers ${config.numHiddenLayers} asks for more encoder layers than the checkpoint has (${stored}); ` +
        `missing from layer ${stored} on: ${firstMissing.slice(0, 3).join(', ')}, ...: config and weights disagree`,
    );
  }
  if (tooMany) {
    throw new CheckpointError(
      `${source.description}: the config (num_hidden_layers ${config.numHiddenLayers}) describes ${tensors} parameter tensors; the checkpoint holds ${source.tensors.size}, ` +
        `so loading would create at least ${tensors - source.tensors.size} tensors the checkpoint lacks (at most ${MAX_NEW_TENSORS} are created fresh): config and weights disagree`,
    );
  }
  const shapes = new Map(robertaParameterShapes(config, task));
  const match = checkCheckpointFits(shapes, source, { ...options, numHiddenLayers: config.numHiddenLayers });
  const fresh = [...match.missing, ...match.newlyInitialized].map((name) => [name, shapes.get(name)!] as const);
  const elements = fresh.reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
  const limit = options.maxNewParameters ?? DEFAULT_MAX_NEW_PARAMETERS;
  if (elements > limit) {
    const largest = [...fresh].sort((a, b) => b[1].reduce((x, y) => x * y, 1) - a[1].reduce((x, y) => x * y, 1)).slice(0, 4);
    throw new CheckpointError(
      `${source.description}: loading would create ${elements} parameters the checkpoint lacks (${(elements * 4 / 2 ** 30).toFixed(2)} GiB as float32), ` +
        `over maxNewParameters ${limit}; the largest: ${largest.map(([n, s]) => `${n} ${shapeStr(s)}`).join(', ')}. Check num_labels, num_hidden_layers and the sizes in config.json, or raise maxNewParameters`,
    );
  }
}

/** One more than the highest `encoder.layer.N` index in the checkpoint (0 without layers). */
function checkpointLayers(source: TensorSource): number {
  let layers = 0;
  for (const name of source.tensors.keys()) {
    const m = /(?:^|\.)encoder\.layer\.(\d{1,9})\./.exec(name);
    if (m) layers = Math.max(layers, Number(m[1]) + 1);
  }
  return layers;
}
