/**
 * Helpers that write gpu.js kernel sources. A kernel is a JavaScript function in the subset gpu.js
 * translates; every shape is written in as a number literal (see ProgramCache), so these helpers
 * turn shapes into code.
 */

/** A number as a literal gpu.js reads as a float (gpu.js types `2` as an integer, `2.0` as a float). */
export function lit(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`gpujs: ${x} cannot be written into a kernel`);
  return Number.isInteger(x) ? `${x}.0` : `${x}`;
}

/**
 * Statements that split the flat thread index into row-major indices `i0 … i{r−1}` of `dims`, in
 * float arithmetic. The quotient is taken of `t + 0.5`, which lies half a unit away from every
 * integer, so float32 division rounds it to the right integer while `t < 2²³` (asserted by the
 * caller through `MAX_THREADS`).
 */
export function unravel(dims: readonly number[]): string {
  const lines = ['let rest = this.thread.x + 0.0;'];
  for (let d = 0; d < dims.length; d++) {
    const inner = dims.slice(d + 1).reduce((p, s) => p * s, 1);
    if (d === dims.length - 1) lines.push(`const i${d} = rest;`);
    else {
      lines.push(`const i${d} = Math.floor((rest + 0.5) / ${lit(inner)});`);
      lines.push(`rest = rest - i${d} * ${lit(inner)};`);
    }
  }
  return lines.join('\n');
}

/** `base + i0·s0 + i1·s1 + …`, the element a strided view holds at the unravelled indices. */
export function offsetOf(base: number, strides: readonly number[]): string {
  const terms = [lit(base), ...strides.map((s, d) => (s === 0 ? null : `i${d} * ${lit(s)}`)).filter((t) => t !== null)];
  return terms.join(' + ');
}

/** Largest output a kernel writes: float32 index arithmetic is exact below 2²³ (see `unravel`). */
export const MAX_THREADS = 2 ** 23;
