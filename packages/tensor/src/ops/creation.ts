import type { BackendV1 } from '../backend/contract.js';
import { findBackend, getBackend } from '../backend/registry.js';
import { dtypeOfArray, type AnyTypedArray, type DType, typedArrayFor } from '../dtype.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { nextRandom } from '../rng/generator.js';
import { checkShape, numel, shapeStr } from '../shape.js';
import { allocTensor, type Tensor } from '../tensor.js';
import { runOp } from './dispatch.js';

export interface CreateOptions {
  dtype?: DType;
  /** A backend instance or a registered name; default: the current backend. */
  backend?: BackendV1 | string;
}

export function resolveBackend(b: BackendV1 | string | undefined): BackendV1 {
  if (b === undefined) return getBackend();
  return typeof b === 'string' ? findBackend(b) : b;
}

type Nested = number | readonly Nested[];

function flattenNested(data: Nested, out: number[] = []): number[] {
  if (Array.isArray(data)) for (const d of data) flattenNested(d as Nested, out);
  else out.push(data as number);
  return out;
}

function inferShape(data: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = data;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = cur[0] as Nested;
  }
  return shape;
}

/**
 * A tensor from host data: a typed array or flat number array with a shape, or nested arrays.
 * The dtype follows the typed array (Float32Array → float32, Int32Array → int32, Float64Array →
 * float64), plain numbers default to float32.
 */
export function tensor(data: AnyTypedArray | Nested, shape?: readonly number[], options: CreateOptions = {}): Tensor {
  const isTyped = ArrayBuffer.isView(data);
  const dtype = options.dtype ?? (isTyped ? dtypeOfArray(data as AnyTypedArray) : 'float32');
  const flat: ArrayLike<number> = isTyped
    ? (data as AnyTypedArray)
    : typeof data === 'number'
      ? [data]
      : flattenNested(data as Nested);
  const sh = shape ?? (isTyped ? [flat.length] : inferShape(data as Nested));
  checkShape(sh, 'tensor');
  if (numel(sh) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${shapeStr(sh)} (${numel(sh)} elements)`);
  }
  const arr = typedArrayFor(dtype, flat.length);
  if (isTyped && (data as AnyTypedArray).constructor === arr.constructor) arr.set(data as AnyTypedArray);
  else for (let i = 0; i < flat.length; i++) arr[i] = flat[i]!;
  return fromHost(arr, sh, resolveBackend(options.backend));
}

/** @internal a contiguous tensor holding `arr` (no conversion) */
export function fromHost(arr: AnyTypedArray, shape: readonly number[], backend: BackendV1): Tensor {
  const dtype = dtypeOfArray(arr);
  const t = allocTensor(backend, dtype, shape);
  if (arr.length > 0) backend.write(t.buffer, arr, 0);
  return t;
}

/** A 0-d constant with `like`'s backend and dtype (the scalar operand of an elementwise op). */
export function scalarLike(like: Tensor, value: number): Tensor {
  return full([], value, { backend: like.backend, dtype: like.dtype });
}

/** A 0-d tensor. */
export function scalar(value: number, options: CreateOptions = {}): Tensor {
  return full([], value, options);
}

export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  checkShape(shape, 'full');
  const backend = resolveBackend(options.backend);
  return runOp('fill', [], [{ shape, dtype: options.dtype ?? 'float32' }], { value }, backend)[0]!;
}

export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function zerosLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, backend: t.backend, ...options });
}

export function onesLike(t: Tensor, options: CreateOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, backend: t.backend, ...options });
}

/** [start, start + step, ...) below `end`; int32 when all arguments are integers. */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  if (end === undefined) {
    end = start;
    start = 0;
  }
  if (step === 0) throw new ArgumentError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = options.dtype ?? (Number.isInteger(start) && Number.isInteger(step) ? 'int32' : 'float32');
  const arr = typedArrayFor(dtype, n);
  for (let i = 0; i < n; i++) arr[i] = start + i * step;
  return fromHost(arr, [n], resolveBackend(options.backend));
}

export interface RandomOptions extends CreateOptions {
  /** Fixed seed: the same numbers on every backend. Without it, the default stream is used. */
  seed?: number;
  /** Counter offset for a fixed seed (default 0). */
  offset?: number;
}

function randomOp(shape: readonly number[], options: RandomOptions, attrs: { dist: 'uniform' | 'normal' | 'bernoulli'; low?: number; high?: number; mean?: number; std?: number; p?: number }): Tensor {
  checkShape(shape, attrs.dist);
  const backend = resolveBackend(options.backend);
  const { seed, offset } = options.seed !== undefined ? { seed: options.seed, offset: options.offset ?? 0 } : nextRandom(numel(shape));
  return runOp('random', [], [{ shape, dtype: options.dtype ?? 'float32' }], { ...attrs, seed, offset }, backend)[0]!;
}

/** Uniform samples in [low, high). */
export function rand(shape: readonly number[], options: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  return randomOp(shape, options, { dist: 'uniform', low: options.low ?? 0, high: options.high ?? 1 });
}

/** Normal samples N(mean, std²). */
export function randn(shape: readonly number[], options: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  return randomOp(shape, options, { dist: 'normal', mean: options.mean ?? 0, std: options.std ?? 1 });
}

/** 1 with probability p, else 0 (float32). */
export function bernoulli(shape: readonly number[], p: number, options: RandomOptions = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`bernoulli: p must be in [0, 1], got ${p}`);
  return randomOp(shape, options, { dist: 'bernoulli', p });
}
