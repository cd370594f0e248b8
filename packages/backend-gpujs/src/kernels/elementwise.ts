import type { ArithmeticFn, BinaryFn, CompareFn, UnaryFn } from '@edora/tensor';
import type { ProgramSpec } from '../programs.js';
import { offsetOf, unravel } from './source.js';

/**
 * erfc(a) for a ≥ 0, left in `name`: the Chebyshev fit of Press et al. (Numerical Recipes' erfcc),
 * fractional error < 1.2e-7 everywhere, so erfc keeps its relative accuracy far into the tail
 * (GELU of a negative argument is 0.5·x·erfc(|x|/√2), which 1 + erf would cancel away).
 */
function erfcStatements(a: string, name: string): string {
  const t = `${name}t`;
  return `
const ${t} = 1.0 / (1.0 + 0.5 * ${a});
const ${name} = ${t} * Math.exp(0.0 - ${a} * ${a} - 1.26551223 + ${t} * (1.00002368 + ${t} * (0.37409196 + ${t} * (0.09678418 +
  ${t} * (-0.18628806 + ${t} * (0.27886807 + ${t} * (-1.13520398 + ${t} * (1.48851587 + ${t} * (-0.82215223 + ${t} * 0.17087277)))))))));`;
}

/**
 * erf(v) in float32, left in `e`: the Maclaurin series below |v| = 1 (12 terms, truncation
 * < 1e-9, no cancellation near 0), 1 − erfc(|v|) above.
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
  ${erfcStatements('ax', 'ecx')}
  e = 1.0 - ecx;
  if (${v} < 0.0) e = 0.0 - e;
}`;
}

/**
 * tanh(v) in float32, left in `th`: Lambert's continued fraction below |v| = 1 (depth 10; the
 * exp form cancels there), (1 − q)/(1 + q) with q = exp(−2|v|) above, which never overflows
 * (GLSL's own tanh may, on large |v|).
 */
function tanhStatements(v: string): string {
  return `
const at = Math.abs(${v});
let th = 0.0;
if (at < 1.0) {
  const v2 = ${v} * ${v};
  let f = 21.0;
  let c = 19.0;
  for (let k = 0; k < 10; k++) { f = c + v2 / f; c = c - 2.0; }
  th = ${v} / f;
} else {
  const q = Math.exp(-2.0 * at);
  th = (1.0 - q) / (1.0 + q);
  if (${v} < 0.0) th = 0.0 - th;
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
  tanh: { setup: tanhStatements('x'), value: 'th' },
  erf: { setup: erfStatements('x'), value: 'e' },
  sigmoid: { value: '1.0 / (1.0 + Math.exp(0.0 - x))' },
  relu: { value: 'x > 0.0 ? x : 0.0' },
  // x ≥ 0: x·(1 + erf(x/√2))/2; x < 0: x·erfc(|x|/√2)/2, no cancellation in the tail
  gelu: {
    setup: `const z = x * 0.7071067811865476;\n${erfStatements('z')}\nconst az = Math.abs(z);\n${erfcStatements('az', 'ecz')}`,
    value: 'x < 0.0 ? 0.5 * x * ecz : 0.5 * x * (1.0 + e)',
  },
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

