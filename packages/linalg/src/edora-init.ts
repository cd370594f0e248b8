import type { Tensor } from '@edora/tensor';
import { randomizedSvd, resolveRandomizedOptions, type RandomizedSvdOptions } from './host/randomized.js';
import { TensorOperator } from './tensor-operator.js';
import { assertMatrix, fromHost } from './tensor-io.js';

/** Defaults for EDoRA's initialization: scikit-learn TruncatedSVD's n_iter=10 as the authors ran it. */
export const EDORA_SVD_DEFAULTS = { oversamples: 10, powerIters: 10, normalizer: 'lu', seed: 42 } as const satisfies RandomizedSvdOptions;

/**
 * EDoRA's frozen B: the top-r left singular vectors of the weight W [out, in] as a tensor [out, r]
 * on W's backend (orthonormal columns, largest-|·| entry of each column positive). The caller then
 * forms A = Bᵀ W with one matmul, so B A is the best rank-r approximation of W.
 *
 * Options default to EDORA_SVD_DEFAULTS (the reference's randomized SVD settings); pass
 * `powerIters` lower to trade subspace accuracy for speed.
 */
export async function topLeftSingularVectors(w: Tensor, r: number, opts: RandomizedSvdOptions = {}): Promise<Tensor> {
  assertMatrix(w, 'topLeftSingularVectors');
  const o = { ...EDORA_SVD_DEFAULTS, ...opts };
  resolveRandomizedOptions(w.shape[0]!, w.shape[1]!, r, o, 'topLeftSingularVectors');
  const res = await randomizedSvd(new TensorOperator(w, 'topLeftSingularVectors'), r, o);
  return fromHost(res.U, w.backend, w.dtype === 'float64' ? 'float64' : 'float32');
}

/**
 * `topLeftSingularVectors` for many weights at once (all of a model's target modules). Every matrix
 * is validated before any work starts, then all run concurrently: on an asynchronous backend each
 * round of products for every matrix is enqueued before the first read-back blocks, so the device
 * stays busy while the host does the small factorizations. Every matrix uses the same seed, as the
 * reference does (one random_state for all modules).
 */
export async function topLeftSingularVectorsBatch(ws: readonly Tensor[], r: number, opts: RandomizedSvdOptions = {}): Promise<Tensor[]> {
  const o = { ...EDORA_SVD_DEFAULTS, ...opts };
  ws.forEach((w, i) => {
    assertMatrix(w, `topLeftSingularVectorsBatch (matrix ${i})`);
    resolveRandomizedOptions(w.shape[0]!, w.shape[1]!, r, o, `topLeftSingularVectorsBatch (matrix ${i})`);
  });
  return Promise.all(ws.map((w) => topLeftSingularVectors(w, r, o)));
}
