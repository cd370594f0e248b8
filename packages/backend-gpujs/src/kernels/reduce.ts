import type { ReduceFn } from '@edora/tensor';
import type { ProgramSpec } from '../programs.js';
import { lit } from './source.js';

/**
 * out[p, q] = fn over d of x[p, d, q] for a dense x seen as [outer, size, inner] (the reduced axis
 * in the middle; inner = 1 for the last axis). Sums accumulate in float32 in index order; argmax
 * returns the first index of the maximum, as a float the backend converts to int32.
 */
export function reduceSpec(fn: ReduceFn, outer: number, size: number, inner: number): ProgramSpec {
  const step = lit(inner);
  const body = fn === 'sum'
    ? `let acc = 0.0;
let at = base;
for (let d = 0; d < ${size}; d++) { acc = acc + a[at]; at = at + ${step}; }
return acc;`
    : `let best = a[base];
let arg = 0.0;
let at = base + ${step};
let df = 1.0;
for (let d = 1; d < ${size}; d++) {
  const v = a[at];
  if (v > best) { best = v; arg = df; }
  at = at + ${step};
  df = df + 1.0;
}
return ${fn === 'max' ? 'best' : 'arg'};`;
  return {
    outputLength: outer * inner,
    source: `function (a) {
const o = this.thread.x + 0.0;
const p = Math.floor((o + 0.5) / ${step});
const base = p * ${lit(size * inner)} + (o - p * ${step});
${body}
}`,
  };
}
