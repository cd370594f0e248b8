import type { Tensor } from '@edora/tensor';
import { randomizedSvd, resolveRandomizedOptions, type RandomizedSvdOptions } from './host/randomized.js';
import { SharedSketches, TensorOperator } from './tensor-operator.js';
import { assertMatrix, fromHost } from './tensor-io.js';

/**
 * The top-r left singular vectors of a matrix W [m, n] as a tensor [m, r] on W's backend
 * (orthonormal columns, largest-|·| entry of each column positive) by randomized subspace
 * iteration. The caller can then form A = Bᵀ W with one matmul, so B A is the best rank-r
 * approximation of W up to the randomized error — what an SVD-initialized low-rank factor needs.
 *
 * Options default to `svdLowRank`'s (scikit-learn's randomized_svd: 10 oversamples, 'auto' power
 * iterations, LU normalization, seed 0); a caller that must reproduce particular settings passes
 * them all (@edora/layers passes its `EDORA_SVD_DEFAULTS`).
 */
export async function topLeftSingularVectors(w: Tensor, r: number, opts: RandomizedSvdOptions = {}): Promise<Tensor> {
  assertMatrix(w, 'topLeftSingularVectors');
  resolveRandomizedOptions(w.shape[0]!, w.shape[1]!, r, opts, 'topLeftSingularVectors');
  return leftSingularVectors(new TensorOperator(w, 'topLeftSingularVectors'), w, r, opts);
}

async function leftSingularVectors(op: TensorOperator, w: Tensor, r: number, opts: RandomizedSvdOptions): Promise<Tensor> {
  const res = await randomizedSvd(op, r, opts);
  return fromHost(res.U, w.backend, w.dtype === 'float64' ? 'float64' : 'float32');
}

/**
 * `topLeftSingularVectors` for many matrices at once (all of a model's adapted weights). Every matrix
 * is validated before any work starts. On an asynchronous backend (a GPU) all run concurrently:
 * each round of products for every matrix is enqueued before the first read-back blocks, so the
 * device stays busy while the host does the small factorizations. On a synchronous one (wasm, cpu)
 * they run one after another: a product finishes before `matmul` returns, so interleaving the
 * matrices would gain nothing and only evict each weight from the cache between its 22 products
 * (measured: 1.5× the BLAS time for roberta-base's 48 targets). Every matrix uses the same seed (as
 * EDoRA's reference does: one random_state for all modules), so those with as many columns share
 * one draw of Ω.
 */
export async function topLeftSingularVectorsBatch(ws: readonly Tensor[], r: number, opts: RandomizedSvdOptions = {}): Promise<Tensor[]> {
  ws.forEach((w, i) => {
    assertMatrix(w, `topLeftSingularVectorsBatch (matrix ${i})`);
    resolveRandomizedOptions(w.shape[0]!, w.shape[1]!, r, opts, `topLeftSingularVectorsBatch (matrix ${i})`);
  });
  const sketches = new SharedSketches();
  const one = (w: Tensor, i: number) => leftSingularVectors(new TensorOperator(w, `topLeftSingularVectorsBatch (matrix ${i})`, sketches), w, r, opts);
  const out: Tensor[] = [];
  try {
    if (ws.some((w) => w.backend.capabilities.async)) out.push(...(await Promise.all(ws.map(one))));
    else for (const [i, w] of ws.entries()) out.push(await one(w, i));
    return out;
  } catch (err) {
    out.forEach((t) => t.dispose());
    throw err;
  } finally {
    sketches.dispose();
  }
}
