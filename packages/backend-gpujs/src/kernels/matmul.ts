import type { ProgramSpec } from '../programs.js';
import { lit, unravel } from './source.js';

/** A matmul operand as the kernel reads it: its first element in the argument, and its strides (batch, row, column). */
export interface MatmulOperand {
  readonly base: number;
  readonly strides: readonly [number, number, number];
}

/**
 * out[b, i, j] = alpha · Σ_k a[b, i, k] · bm[b, k, j] (+ beta · c[b, i, j] when `accumulate`),
 * operands read through their strides, so row- and column-major layouts (a transposed operand)
 * and a batch stride of 0 need no copy. Arguments (a, bm, alpha[, beta, c]); the output is dense.
 */
export function matmulSpec(
  batch: number, m: number, k: number, n: number, a: MatmulOperand, b: MatmulOperand, accumulate: boolean,
): ProgramSpec {
  const [sab, sam, sak] = a.strides;
  const [sbb, sbk, sbn] = b.strides;
  return {
    outputLength: batch * m * n,
    source: `function (a, bm, alpha${accumulate ? ', beta, c' : ''}) {
${unravel([batch, m, n])}
let pa = ${lit(a.base)} + i0 * ${lit(sab)} + i1 * ${lit(sam)};
let pb = ${lit(b.base)} + i0 * ${lit(sbb)} + i2 * ${lit(sbn)};
let acc = 0.0;
for (let q = 0; q < ${k}; q++) {
  acc = acc + a[pa] * bm[pb];
  pa = pa + ${lit(sak)};
  pb = pb + ${lit(sbk)};
}
return alpha * acc${accumulate ? ' + beta * c[this.thread.x]' : ''};
}`,
  };
}
