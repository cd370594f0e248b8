import { matmul, noGrad, rowNorm, zeros, type Tensor } from '@edora/tensor';
import { topLeftSingularVectors, type RandomizedSvdOptions } from '@edora/linalg';
import { kaimingUniform, normal, uniform, type InitOptions } from '../init.js';
import { METHOD_TRAITS, type AdapterInit, type AdapterMethod } from './methods.js';
import type { AdapterFactors } from './adapted-linear.js';

/**
 * The randomized SVD settings of EDoRA's init: the authors' scikit-learn
 * `TruncatedSVD(n_components=r, n_iter=10, random_state=42)` (10 LU-normalized power iterations,
 * 10 oversamples, one seed for every module). `svd` options override single fields.
 */
export const EDORA_SVD_DEFAULTS = { oversamples: 10, powerIters: 10, normalizer: 'lu', seed: 42 } as const satisfies RandomizedSvdOptions;

export interface FactorInitOptions {
  method: AdapterMethod;
  r: number;
  init: AdapterInit;
  /** Standard deviation of R's normal init (EDoRA, LoRA-XS). */
  sigma: number;
  /** With a seed, factors take consecutive slices of one counter-based stream starting at `offset`; without, the default stream. */
  seed?: number;
  offset: number;
  /** Overrides of EDORA_SVD_DEFAULTS for the 'svd' init. */
  svd?: RandomizedSvdOptions;
}

/**
 * The initial factors for one weight W [out, in], as SEMANTICS.md fixes them:
 * LoRA/DoRA A ~ kaiming-uniform(a=√5), B = 0; EDoRA/LoRA-XS B = top-r left singular vectors and
 * A = BᵀW ('svd') or A ~ U(±1/√r), B ~ U(±1/√out) ('random'); R ~ N(0, σ²); m = ‖W‖_row (exactly
 * the norm of W + ΔW at init for DoRA, where B = 0). Returns how many stream numbers it used.
 */
export async function initFactors(W: Tensor, o: FactorInitOptions): Promise<{ factors: AdapterFactors; used: number }> {
  const [out, inF] = W.shape as [number, number];
  const r = o.r;
  const traits = METHOD_TRAITS[o.method];
  let offset = o.offset;
  const draw = (count: number): InitOptions => {
    const opts: InitOptions = { dtype: W.dtype, backend: W.backend };
    if (o.seed !== undefined) {
      opts.seed = o.seed;
      opts.offset = offset;
    }
    offset += count;
    return opts;
  };
  let A: Tensor;
  let B: Tensor;
  if (o.init === 'kaiming') {
    A = kaimingUniform([r, inF], { ...draw(r * inF), a: Math.sqrt(5) });
    B = zeros([out, r], { dtype: W.dtype, backend: W.backend });
  } else if (o.init === 'random') {
    A = uniform([r, inF], -1 / Math.sqrt(r), 1 / Math.sqrt(r), draw(r * inF));
    B = uniform([out, r], -1 / Math.sqrt(out), 1 / Math.sqrt(out), draw(out * r));
  } else {
    // every module sketches with the same seed (one random_state for all, as the reference)
    B = await topLeftSingularVectors(W, r, { ...EDORA_SVD_DEFAULTS, ...o.svd });
    A = noGrad(() => matmul(B, W, { transA: true }));
  }
  const factors: AdapterFactors = { A, B };
  if (traits.hasR) factors.R = normal([r, r], o.sigma, draw(r * r));
  if (traits.hasMagnitude) factors.m = rowNorm(W);
  return { factors, used: offset - o.offset };
}
