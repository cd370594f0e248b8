import { EdoraError } from '@edora/tensor';

/**
 * A checkpoint that cannot be loaded as asked: an unreadable index, a dtype a weight cannot take,
 * tensors the config does not account for. The message names the file and the tensors.
 */
export class CheckpointError extends EdoraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_CHECKPOINT', message, options);
  }
}

/** The checkpoint lacks weights the model needs (and that are not a freshly initialized head). */
export class MissingWeightsError extends EdoraError {
  readonly missing: readonly string[];
  constructor(missing: readonly string[], message: string) {
    super('E_MISSING_WEIGHTS', message);
    this.missing = missing;
  }
}

/** A checkpoint tensor whose shape differs from the model's parameter (usually: config and weights disagree). */
export class WeightShapeError extends EdoraError {
  readonly tensor: string;
  readonly expected: readonly number[];
  readonly found: readonly number[];
  constructor(tensor: string, expected: readonly number[], found: readonly number[], message: string) {
    super('E_WEIGHT_SHAPE', message);
    this.tensor = tensor;
    this.expected = expected;
    this.found = found;
  }
}

/** `fromPretrained` was given a name that is not a local model folder (nothing is downloaded). */
export class ModelNotFoundError extends EdoraError {
  constructor(message: string) {
    super('E_MODEL_NOT_FOUND', message);
  }
}
