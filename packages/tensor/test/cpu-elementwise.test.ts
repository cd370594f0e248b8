import { describe, expect, it } from 'vitest';
import { CpuBackend, type BinaryFn, type DType, type OpAttrs, type OpName, type UnaryFn } from '@edora/tensor';
import { erfScalar, geluScalar } from '@edora/tensor/backend-kit';
import { hostRng } from '@edora/tensor/conformance';
import { randomBroadcast, randomLayout, randomShape, readBack, SENTINEL, stored, type Layout } from './random-layout.js';

/**
 * The cpu backend is the reference, so its elementwise kernels must produce exactly the float64
 * definition of each op, rounded once by the store into the output dtype — whatever the layout:
 * dims stored in any order with gaps, offsets, stride-0 broadcasts, empty and size-1 dims, long
 * rows (the unit-stride loops), strided outputs (elements outside the output view stay as they
 * were). Values are read and expected by logical index, independently of how kernels iterate;
 * NaN, ±Infinity and ±0 are among the inputs and compared with Object.is.
 */

/** float64 definitions (sigmoid in its overflow-free two-sided form, gelu and erf exact). */
const UNARY: Record<UnaryFn, (x: number) => number> = {
  neg: (x) => -x,
  abs: (x) => Math.abs(x),
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN),
  exp: (x) => Math.exp(x),
  log: (x) => Math.log(x),
  sqrt: (x) => Math.sqrt(x),
  rsqrt: (x) => 1 / Math.sqrt(x),
  reciprocal: (x) => 1 / x,
  square: (x) => x * x,
  tanh: (x) => Math.tanh(x),
  erf: (x) => erfScalar(x),
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  gelu: (x) => geluScalar(x),
};

const BINARY: Record<BinaryFn, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: (a, b) => Math.pow(a, b),
  // NaN wins; otherwise the first operand when strictly larger (smaller), so max(0, −0) is −0
  max: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a > b ? a : b),
  min: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a < b ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

/** int32 division truncates toward zero, and x / 0 is 0 (the contract's integer division). */
const intDiv = (a: number, b: number): number => (b === 0 ? 0 : Math.trunc(a / b));

const COMPARE = new Set<BinaryFn>(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);
/** unary ops the core runs on int32 tensors; the others see floats only */
const INT_UNARY = new Set<UnaryFn>(['neg', 'abs', 'sign', 'square', 'relu']);
const INT_BINARY = new Set<BinaryFn>(['add', 'sub', 'mul', 'div', 'max', 'min', ...COMPARE]);

const CASES = 40;
const backend = new CpuBackend('cpu-elementwise-test');

/** Runs `op` on the views and returns the mismatches between the output buffer and `expected`. */
function mismatches<O extends OpName>(
  op: O, inputs: Layout[], out: Layout, attrs: OpAttrs[O], expected: (logical: number) => number,
): string[] {
  backend.run(op, inputs.map((l) => l.view), [out.view], attrs);
  const got = readBack(backend, out);
  const want = Float64Array.from(out.data, () => SENTINEL);
  out.offsets.forEach((p, i) => {
    want[p] = stored(out.view.dtype, expected(i));
  });
  const bad: string[] = [];
  for (let p = 0; p < got.length && bad.length < 5; p++) {
    if (!Object.is(got[p], want[p])) {
      const where = out.offsets.indexOf(p);
      bad.push(
        `${op} ${JSON.stringify(attrs)} shape [${out.view.shape.join(', ')}] strides ${inputs.map((l) => `[${l.view.strides.join(', ')}]`).join(' ')}` +
          ` → [${out.view.strides.join(', ')}]: element ${where >= 0 ? `#${where}` : `outside the view at ${p}`} is ${got[p]}, expected ${want[p]}`,
      );
    }
  }
  return bad;
}

/** Cases: random layouts, plus the dense and broadcast-row layouts the fast loops are for. */
function layoutsFor(rng: () => number, shape: number[], c: number): { dense: boolean; broadcast: () => boolean[] } {
  const rank = shape.length;
  if (c % 4 === 0) return { dense: true, broadcast: () => new Array<boolean>(rank).fill(false) };
  if (c % 4 === 1) return { dense: true, broadcast: () => shape.map((_, d) => d === rank - 1 && rng() < 0.5) };
  return { dense: false, broadcast: () => randomBroadcast(rng, rank) };
}

const value = (l: Layout, i: number): number => l.data[l.offsets[i]!]!;

describe('cpu elementwise kernels equal their float64 definitions bit for bit, on any layout', () => {
  for (const fn of Object.keys(UNARY) as UnaryFn[]) {
    it(`unary ${fn}`, () => {
      const rng = hostRng(1000 + fn.length);
      const bad: string[] = [];
      for (let c = 0; c < CASES; c++) {
        const dtypes: DType[] = INT_UNARY.has(fn) ? ['float32', 'float64', 'int32'] : ['float32', 'float64'];
        const dtype = dtypes[c % dtypes.length]!;
        const shape = randomShape(rng);
        const { dense, broadcast } = layoutsFor(rng, shape, c);
        const x = randomLayout(backend, rng, shape, dtype, { dense, broadcast: broadcast() });
        const out = randomLayout(backend, rng, shape, dtype, { dense: c % 2 === 0, fill: 'sentinel' });
        bad.push(...mismatches('unary', [x], out, { fn }, (i) => UNARY[fn](value(x, i))));
      }
      expect(bad).toEqual([]);
    });
  }

  for (const fn of Object.keys(BINARY) as BinaryFn[]) {
    it(`binary ${fn}`, () => {
      const rng = hostRng(2000 + fn.charCodeAt(0) * 7 + fn.length);
      const bad: string[] = [];
      for (let c = 0; c < CASES; c++) {
        const dtypes: DType[] = INT_BINARY.has(fn) ? ['float32', 'float64', 'int32'] : ['float32', 'float64'];
        const dtype = dtypes[c % dtypes.length]!;
        const outDtype = COMPARE.has(fn) ? 'float32' : dtype;
        const shape = randomShape(rng);
        const { dense, broadcast } = layoutsFor(rng, shape, c);
        const a = randomLayout(backend, rng, shape, dtype, { dense, broadcast: c % 4 === 1 ? undefined : broadcast() });
        const b = randomLayout(backend, rng, shape, dtype, { dense, broadcast: broadcast() });
        const out = randomLayout(backend, rng, shape, outDtype, { dense: c % 2 === 0, fill: 'sentinel' });
        const f = fn === 'div' && dtype === 'int32' ? intDiv : BINARY[fn];
        bad.push(...mismatches('binary', [a, b], out, { fn }, (i) => f(value(a, i), value(b, i))));
      }
      expect(bad).toEqual([]);
    });
  }

  it('where', () => {
    const rng = hostRng(3000);
    const bad: string[] = [];
    for (let c = 0; c < CASES; c++) {
      const dtype = (['float32', 'float64', 'int32'] as const)[c % 3]!;
      const shape = randomShape(rng);
      const { dense, broadcast } = layoutsFor(rng, shape, c);
      const cond = randomLayout(backend, rng, shape, 'float32', { dense, broadcast: broadcast(), fill: 'ints' });
      const a = randomLayout(backend, rng, shape, dtype, { dense, broadcast: broadcast() });
      const b = randomLayout(backend, rng, shape, dtype, { dense, broadcast: broadcast() });
      const out = randomLayout(backend, rng, shape, dtype, { dense: c % 2 === 0, fill: 'sentinel' });
      bad.push(...mismatches('where', [cond, a, b], out, {}, (i) => (value(cond, i) !== 0 ? value(a, i) : value(b, i))));
    }
    expect(bad).toEqual([]);
  });

  it('copy and cast (a store converts: float → int32 truncates, float64 → float32 rounds)', () => {
    const rng = hostRng(4000);
    const bad: string[] = [];
    const dtypes = ['float32', 'float64', 'int32'] as const;
    for (let c = 0; c < 3 * CASES; c++) {
      const from = dtypes[c % 3]!;
      const to = dtypes[Math.floor(c / 3) % 3]!;
      const shape = randomShape(rng);
      const { dense, broadcast } = layoutsFor(rng, shape, c);
      const x = randomLayout(backend, rng, shape, from, { dense, broadcast: broadcast() });
      const out = randomLayout(backend, rng, shape, to, { dense: c % 2 === 0, fill: 'sentinel' });
      bad.push(...mismatches(from === to ? 'copy' : 'cast', [x], out, {}, (i) => value(x, i)));
    }
    expect(bad).toEqual([]);
  });
});
