import type { HostMatrix } from './matrix.js';
import { orthonormalRows } from './normalize.js';
import type { LinearOperator } from './linear-operator.js';

/**
 * Orthonormal basis of the block Krylov space span{AΩ, (AAᵀ)AΩ, …, (AAᵀ)^q AΩ} (Musco & Musco 2015),
 * as rows (Qᵀ). Subspace iteration keeps only the last block; keeping all of them costs one wider
 * final product but converges like a Chebyshev polynomial — with the square root of the spectral
 * gap in the exponent instead of the gap — which matters for weights whose spectrum barely decays
 * at rank r. Each block is orthonormalized as it is made (which leaves the total span unchanged)
 * and the whole basis once more at the end, so numerically dependent blocks (rank-deficient A) are
 * harmless.
 */
export async function blockKrylovBasis(op: LinearOperator, l: number, q: number, seed: number): Promise<HostMatrix> {
  let block = orthonormalRows(await op.sketch(l, seed));
  const blocks = [block];
  for (let i = 0; i < q; i++) {
    const z = orthonormalRows(await op.timesA(block));
    block = orthonormalRows(await op.timesAT(z));
    blocks.push(block);
  }
  return orthonormalRows(stackRows(blocks));
}

/** The blocks' rows one after the other (all blocks as wide). */
function stackRows(blocks: readonly HostMatrix[]): HostMatrix {
  const cols = blocks[0]!.cols;
  const data = new Float64Array(blocks.reduce((n, b) => n + b.data.length, 0));
  let at = 0;
  for (const b of blocks) {
    data.set(b.data, at);
    at += b.data.length;
  }
  return { rows: data.length / cols, cols, data };
}
