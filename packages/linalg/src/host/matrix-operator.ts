import { noGrad, randn } from '@edora/tensor';
import { assertFinite, matmul, matmulNT, transpose, type HostMatrix } from './matrix.js';
import type { LinearOperator } from './linear-operator.js';

/**
 * A host float64 matrix as a LinearOperator, for `randomizedSvd` without tensors. Ω is drawn from
 * the tensor library's counter-based RNG (in float64 on the cpu backend), so for a given seed it is
 * the same Ω a float64 tensor gets from `svdLowRank`.
 */
export function matrixOperator(a: HostMatrix): LinearOperator {
  assertFinite(a, 'matrixOperator');
  return {
    rows: a.rows,
    cols: a.cols,
    sketch: async (l, seed) => {
      const omega = noGrad(() => randn([a.cols, l], { seed, backend: 'cpu', dtype: 'float64' }));
      try {
        return transpose(matmul(a, { rows: a.cols, cols: l, data: Float64Array.from(await omega.data()) }));
      } finally {
        omega.dispose();
      }
    },
    timesA: async (x, out) => into(matmul(x, a), out),
    timesAT: async (x, out) => into(matmulNT(x, a), out),
  };
}

/** `m` with its entries in `out` when one is given. */
function into(m: HostMatrix, out: Float64Array | undefined): HostMatrix {
  if (!out) return m;
  out.set(m.data);
  return { rows: m.rows, cols: m.cols, data: out };
}
