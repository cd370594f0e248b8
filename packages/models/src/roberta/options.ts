import type { BackendV1, DType } from '@edora/tensor';
import type { ParameterInit } from '@edora/layers';

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
   * false: no random number is drawn and every parameter, heads included, is left zero, for a
   * model whose weights are written next (a checkpoint load; `loadPretrainedRoberta` builds this
   * way, then gives HF's init to whatever the checkpoint lacks). Default true: HF's init.
   */
  initWeights?: boolean;
}

/**
 * What every layer constructor takes. The layers draw nothing (`init: 'none'`): a RoBERTa's
 * weights come from HF's init (`initRobertaWeights`, once per model) or from a checkpoint, never
 * from the layers' own torch-style init, so no weight is drawn twice.
 */
export interface LayerOptions {
  dtype?: DType;
  backend?: BackendV1 | string;
  init: ParameterInit;
}

export function layerOptions(o: RobertaBuildOptions): LayerOptions {
  return { dtype: o.dtype, backend: o.backend, init: 'none' };
}
