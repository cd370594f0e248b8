import { hconcat, type HostMatrix } from './matrix.js';
import { qr } from './qr.js';
import type { LinearOperator } from './linear-operator.js';

/**
 * Orthonormal basis of the block Krylov space span{AΩ, (AAᵀ)AΩ, …, (AAᵀ)^q AΩ} (Musco & Musco 2015).
 * Subspace iteration keeps only the last block; keeping all of them costs one wider final product
 * but converges like a Chebyshev polynomial — with the square root of the spectral gap in the
 * exponent instead of the gap — which matters for weights whose spectrum barely decays at rank r.
 * Each block is orthonormalized as it is made (which leaves the total span unchanged) and the whole
 * basis once more at the end, so numerically dependent blocks (rank-deficient A) are harmless.
 */
export async function blockKrylovBasis(op: LinearOperator, l: number, q: number, seed: number): Promise<HostMatrix> {
  let block = qr(await op.sketch(l, seed)).Q;
  const blocks = [block];
  for (let i = 0; i < q; i++) {
    const z = qr(await op.applyT(block)).Q;
    block = qr(await op.apply(z)).Q;
    blocks.push(block);
  }
  return qr(hconcat(blocks)).Q;
}
