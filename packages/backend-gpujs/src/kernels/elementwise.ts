import type { ArithmeticFn, BinaryFn, CompareFn, UnaryFn } from '@edora/tensor';
import type { ProgramSpec } from '../programs.js';
import { offsetOf, unravel } from './source.js';

/**
 * erf(v) in float32, left in `e`: the Maclaurin series below |v| = 1 (12 terms, truncation
 * < 1e-9), Abramowitz & Stegun 7.1.26 above (absolute error ≤ 1.5e-7, where erf ≥ 0.84).
 */
function erfStatements(v: string): string {
  return `
const ax = Math.abs(${v});
let e = 0.0;
if (ax < 1.0) {
  const v2 = ${v} * ${v};
  let term = ${v};
  let sum = ${v};
  let nf = 1.0;
  for (let n = 1; n < 12; n++) {
    term = term * (0.0 - v2) / nf;
    sum = sum + term / (2.0 * nf + 1.0);
    nf = nf + 1.0;
  }
  e = 1.1283791670955126 * sum;
} else {
  const t = 1.0 / (1.0 + 0.3275911 * ax);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  e = 1.0 - poly * Math.exp(0.0 - ax * ax);
  if (${v} < 0.0) e = 0.0 - e;
}`;
}

/** Each unary function: statements that may set up, then the expression of the result in `x`. */
const UNARY: Record<UnaryFn, { setup?: string; value: string }> = {
  neg: { value: '0.0 - x' },
  abs: { value: 'Math.abs(x)' },
  sign: { value: 'x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0)' },
  exp: { value: 'Math.exp(x)' },
  log: { value: 'Math.log(x)' },
  sqrt: { value: 'Math.sqrt(x)' },
  rsqrt: { value: '1.0 / Math.sqrt(x)' },
  reciprocal: { value: '1.0 / x' },
  square: { value: 'x * x' },
  // tanh through exp(−2|x|), which never overflows (GLSL's tanh may, on large |x|)
  tanh: { setup: 'const q = Math.exp(-2.0 * Math.abs(x)); const th = (1.0 - q) / (1.0 + q);', value: 'x < 0.0 ? 0.0 - th : th' },
  erf: { setup: erfStatements('x'), value: 'e' },
  sigmoid: { value: '1.0 / (1.0 + Math.exp(0.0 - x))' },
  relu: { value: 'x > 0.0 ? x : 0.0' },
  gelu: { setup: `const z = x * 0.7071067811865476;\n${erfStatements('z')}`, value: '0.5 * x * (1.0 + e)' },
};

/** out[i] = fn(x[i]) on dense views. */
export function unarySpec(fn: UnaryFn, n: number): ProgramSpec {
  const { setup, value } = UNARY[fn];
  return {
    outputLength: n,
    source: `function (a) {
const x = a[this.thread.x];
${setup ?? ''}
return ${value};
}`,
  };
}

const ARITHMETIC: Record<ArithmeticFn, string> = {
  add: 'x + y',
  sub: 'x - y',
  mul: 'x * y',
  div: 'x / y',
  pow: 'Math.pow(x, y)',
  max: 'Math.max(x, y)',
  min: 'Math.min(x, y)',
};

const COMPARE: Record<CompareFn, string> = {
  eq: 'x == y', ne: 'x != y', lt: 'x < y', le: 'x <= y', gt: 'x > y', ge: 'x >= y',
};

/** An operand of a broadcasting kernel: its first element and its strides over the output's (collapsed) dims. */
export interface Operand {
  readonly base: number;
  readonly strides: readonly number[];
}

/**
 * out[i] = fn(a[…], b[…]) with a and b read through their own strides (0 broadcasts) over the
 * output's collapsed dims; the output is dense.
 */
export function binarySpec(fn: BinaryFn, dims: readonly number[], a: Operand, b: Operand): ProgramSpec {
  const value = fn in COMPARE ? `(${COMPARE[fn as CompareFn]}) ? 1.0 : 0.0` : ARITHMETIC[fn as ArithmeticFn];
  return {
    outputLength: dims.reduce((p, s) => p * s, 1),
    source: `function (a, b) {
${unravel(dims)}
const x = a[${offsetOf(a.base, a.strides)}];
const y = b[${offsetOf(b.base, b.strides)}];
return ${value};
}`,
  };
}

