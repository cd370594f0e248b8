import { AdapterConfigError } from '../errors.js';

/**
 * The four faces of one low-rank core. Every face adds s·B·(R)·A to a frozen W (s = alpha / r);
 * they differ only in which factors exist, which train, and whether a magnitude vector rescales
 * each output row by m / ‖W + ΔW‖_row (norm detached).
 */
export const ADAPTER_METHODS = ['lora', 'dora', 'edora', 'lora-xs'] as const;
export type AdapterMethod = (typeof ADAPTER_METHODS)[number];

export interface MethodTraits {
  /** A and B are trained (LoRA, DoRA) or frozen (EDoRA, LoRA-XS). */
  trainsAB: boolean;
  /** An r×r matrix R sits between A and B (EDoRA, LoRA-XS). */
  hasR: boolean;
  /** A magnitude vector m rescales each row by m / ‖W + ΔW‖_row (DoRA, EDoRA). */
  hasMagnitude: boolean;
}

export const METHOD_TRAITS: Readonly<Record<AdapterMethod, MethodTraits>> = {
  lora: { trainsAB: true, hasR: false, hasMagnitude: false },
  dora: { trainsAB: true, hasR: false, hasMagnitude: true },
  edora: { trainsAB: false, hasR: true, hasMagnitude: true },
  'lora-xs': { trainsAB: false, hasR: true, hasMagnitude: false },
};

/**
 * How the frozen A, B of EDoRA / LoRA-XS are made: 'svd' (our default: B = top-r left singular
 * vectors of W, A = BᵀW) or 'random' (the authors' released GLUE script: A ~ U(±1/√r),
 * B ~ U(±1/√out)). LoRA and DoRA always use 'kaiming' (A ~ kaiming-uniform(a=√5), B = 0).
 */
export type AdapterInit = 'svd' | 'random' | 'kaiming';

/** How EDoRA's detached row norm is computed: 'fast' from cached W·Aᵀ, A·Aᵀ, ‖W‖² (O(out·r²)), or 'naive' by materializing W + s·BRA. */
export type NormPath = 'fast' | 'naive';

export function checkMethod(method: unknown): AdapterMethod {
  if (!ADAPTER_METHODS.includes(method as AdapterMethod)) {
    throw new AdapterConfigError(`method must be one of ${ADAPTER_METHODS.join(', ')}; got ${JSON.stringify(method)}`);
  }
  return method as AdapterMethod;
}

export function defaultInit(method: AdapterMethod): AdapterInit {
  return METHOD_TRAITS[method].hasR ? 'svd' : 'kaiming';
}

export function checkInit(method: AdapterMethod, init: unknown): AdapterInit {
  const valid: AdapterInit[] = METHOD_TRAITS[method].hasR ? ['svd', 'random'] : ['kaiming'];
  if (!valid.includes(init as AdapterInit)) {
    throw new AdapterConfigError(`init for ${method} must be one of ${valid.join(', ')}; got ${JSON.stringify(init)}`);
  }
  return init as AdapterInit;
}
