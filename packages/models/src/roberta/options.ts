import type { BackendV1, DType } from '@edora/tensor';

/** Where and how a RoBERTa model's parameters are created. */
export interface RobertaBuildOptions {
  /** float32 (default) for use; float64 (cpu) for gradient checks against finite differences. */
  dtype?: DType;
  /** A backend instance or registered name; default: the current backend. */
  backend?: BackendV1 | string;
  /**
   * Seed for the weight initialization: the same seed gives the same weights on every backend.
   * Without it the default stream (`manualSeed`) is used.
   */
  seed?: number;
  /**
   * false skips HF's weight initialization of the encoder (the layers keep their constructors'
   * init): for a model that is about to load a checkpoint, this saves a second random draw of
   * every weight. Heads are always initialized, since a checkpoint may not carry them.
   */
  initWeights?: boolean;
}

/** The options every layer constructor takes (`seed` is applied once, by `initRobertaWeights`). */
export type LayerOptions = Pick<RobertaBuildOptions, 'dtype' | 'backend'>;

export function layerOptions(o: RobertaBuildOptions): LayerOptions {
  return { dtype: o.dtype, backend: o.backend };
}
