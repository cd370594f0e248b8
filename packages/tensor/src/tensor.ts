import type { BackendBuffer, BackendV1, TensorView } from './backend/contract.js';
import { bytesPerElement, viewAs, type AnyTypedArray, type DType } from './dtype.js';
import { AutogradError, BackendError, DisposedError } from './errors.js';
import { GradNode } from './autograd/node.js';
import { isGradEnabled } from './autograd/grad-mode.js';
import { setTensorPredicate, trackTensor, keep } from './scope.js';
import { contiguousStrides, isContiguous, numel, shapeStr } from './shape.js';
import * as ops from './ops/all.js';

/** A backend allocation shared by a tensor and all its views; freed when the last handle goes. */
export class Storage {
  private refs = 0;
  private freed = false;
  constructor(
    readonly backend: BackendV1,
    readonly buffer: BackendBuffer,
  ) {
    liveStorages++;
  }
  retain(): void {
    this.refs++;
  }
  release(): void {
    if (--this.refs === 0 && !this.freed) {
      this.freed = true;
      liveStorages--;
      this.backend.free(this.buffer);
    }
  }
}

let liveStorages = 0;
let liveTensors = 0;
let nextId = 1;

/** Safety net: a tensor that is garbage-collected without `dispose()` still frees its storage. */
const finalizer = new FinalizationRegistry<Storage>((s) => {
  liveTensors--;
  s.release();
});

/** Counts of live tensor handles and storages in this process (leak tests assert on these). */
export function tensorStats(): { tensors: number; storages: number } {
  return { tensors: liveTensors, storages: liveStorages };
}

/**
 * An immutable handle to a strided view of backend memory. Views (reshape, transpose, slice,
 * expand) share storage; ops enqueue work on the tensor's backend and return new tensors at once;
 * reading (`await t.data()`) waits for the work.
 */
export class Tensor implements TensorView {
  readonly id = nextId++;
  readonly storage: Storage;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  /** Accumulated gradient of a leaf after `backward()`. */
  grad: Tensor | null = null;
  /** Optional label used in error messages and `toString()`. */
  name?: string;
  /** @internal the op that produced this tensor, when recorded for autograd */
  node: GradNode | null = null;
  private leafRequiresGrad = false;
  private disposedFlag = false;

  constructor(storage: Storage, dtype: DType, shape: readonly number[], strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.dtype = dtype;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(strides ? [...strides] : contiguousStrides(shape));
    this.offset = offset;
    storage.retain();
    liveTensors++;
    finalizer.register(this, storage, this);
    trackTensor(this);
  }

  get backend(): BackendV1 {
    return this.storage.backend;
  }
  get buffer(): BackendBuffer {
    return this.storage.buffer;
  }
  get size(): number {
    return numel(this.shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  get isDisposed(): boolean {
    return this.disposedFlag;
  }
  get isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** True for leaves marked trainable and for every tensor computed from one while grad is enabled. */
  get requiresGrad(): boolean {
    return this.leafRequiresGrad || this.node !== null;
  }
  set requiresGrad(v: boolean) {
    if (this.node) throw new AutogradError('requiresGrad can only be set on leaf tensors (not on results of ops); use detach() first');
    this.leafRequiresGrad = v;
  }
  /** Marks this leaf as trainable and returns it (chainable). */
  requiresGrad_(v = true): this {
    this.requiresGrad = v;
    return this;
  }

  /** @internal throws when used after dispose */
  assertAlive(op: string): void {
    if (this.disposedFlag) {
      throw new DisposedError(`${op}: tensor #${this.id}${this.name ? ` (${this.name})` : ''} ${shapeStr(this.shape)} was disposed`);
    }
  }

  /** Frees this handle; the storage is freed when no view of it remains. Idempotent. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    finalizer.unregister(this);
    liveTensors--;
    this.storage.release();
    const node = this.node;
    this.node = null;
    node?.unref();
  }

  /** `using t = ...` disposes at the end of the block (explicit resource management). */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** A new handle on the same storage and view, detached from the graph. */
  detach(): Tensor {
    this.assertAlive('detach');
    return new Tensor(this.storage, this.dtype, this.shape, this.strides, this.offset);
  }

  /** Elements in logical row-major order. Waits for pending work on the backend. */
  async data(): Promise<AnyTypedArray> {
    this.assertAlive('data');
    if (this.size === 0) return viewAs(this.dtype, new ArrayBuffer(0));
    const src = this.denseSource();
    try {
      return toTyped(this.dtype, await src.backend.read(src.buffer, ...this.byteRange(src)));
    } finally {
      if (src !== this) src.dispose();
    }
  }

  /** Synchronous read, only on backends that can (cpu). */
  dataSync(): AnyTypedArray {
    this.assertAlive('dataSync');
    const backend = this.backend;
    if (!backend.readSync) {
      throw new BackendError(`dataSync: backend "${backend.name}" reads asynchronously; use await tensor.data()`);
    }
    if (this.size === 0) return viewAs(this.dtype, new ArrayBuffer(0));
    const src = this.denseSource();
    try {
      return toTyped(this.dtype, backend.readSync(src.buffer, ...this.byteRange(src)));
    } finally {
      if (src !== this) src.dispose();
    }
  }

  /** This tensor if contiguous, else a temporary contiguous copy (the caller disposes it). */
  private denseSource(): Tensor {
    return this.isContiguous ? this : ops.noGradContiguous(this);
  }

  private byteRange(src: Tensor): [number, number] {
    const bpe = bytesPerElement(this.dtype);
    return [src.offset * bpe, src.size * bpe];
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new BackendError(`item: expected a tensor with one element, got shape ${shapeStr(this.shape)}`);
    return (await this.data())[0]!;
  }

  /** Nested arrays in logical order (debugging, small tensors). */
  async array(): Promise<unknown> {
    const d = await this.data();
    return nest(d, this.shape, 0, 0);
  }

  /** Backpropagates from this tensor into the `.grad` of every leaf that requires grad. */
  backward(grad?: Tensor, options?: { retainGraph?: boolean }): void {
    ops.backward(this, grad, options);
  }

  /** Copies this tensor to another backend (async: reading may wait for a device). */
  async to(backend: BackendV1 | string): Promise<Tensor> {
    return ops.moveTo(this, backend);
  }

  toString(): string {
    const head = `Tensor(${shapeStr(this.shape)}, ${this.dtype}, ${this.backend.name}${this.requiresGrad ? ', requiresGrad' : ''})`;
    if (this.disposedFlag) return `${head} <disposed>`;
    if (this.backend.readSync && this.size <= 64) {
      try {
        return `${head} ${JSON.stringify(nest(this.dataSync(), this.shape, 0, 0))}`;
      } catch {
        return head;
      }
    }
    return head;
  }

  // ---- views ----
  reshape(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  view(shape: readonly number[]): Tensor { return ops.reshape(this, shape); }
  flatten(startDim = 0, endDim = -1): Tensor { return ops.flatten(this, startDim, endDim); }
  transpose(dim0 = -2, dim1 = -1): Tensor { return ops.transpose(this, dim0, dim1); }
  get T(): Tensor { return ops.transpose(this, -2, -1); }
  permute(dims: readonly number[]): Tensor { return ops.permute(this, dims); }
  slice(dim: number, start: number, end?: number): Tensor { return ops.slice(this, dim, start, end); }
  expand(shape: readonly number[]): Tensor { return ops.expand(this, shape); }
  squeeze(dim?: number): Tensor { return ops.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return ops.unsqueeze(this, dim); }
  contiguous(): Tensor { return ops.contiguous(this); }
  clone(): Tensor { return ops.clone(this); }
  cast(dtype: DType): Tensor { return ops.cast(this, dtype); }

  // ---- elementwise ----
  add(b: Tensor | number): Tensor { return ops.add(this, b); }
  sub(b: Tensor | number): Tensor { return ops.sub(this, b); }
  mul(b: Tensor | number): Tensor { return ops.mul(this, b); }
  div(b: Tensor | number): Tensor { return ops.div(this, b); }
  pow(b: Tensor | number): Tensor { return ops.pow(this, b); }
  maximum(b: Tensor | number): Tensor { return ops.maximum(this, b); }
  minimum(b: Tensor | number): Tensor { return ops.minimum(this, b); }
  eq(b: Tensor | number): Tensor { return ops.eq(this, b); }
  ne(b: Tensor | number): Tensor { return ops.ne(this, b); }
  lt(b: Tensor | number): Tensor { return ops.lt(this, b); }
  le(b: Tensor | number): Tensor { return ops.le(this, b); }
  gt(b: Tensor | number): Tensor { return ops.gt(this, b); }
  ge(b: Tensor | number): Tensor { return ops.ge(this, b); }
  neg(): Tensor { return ops.neg(this); }
  abs(): Tensor { return ops.abs(this); }
  sign(): Tensor { return ops.sign(this); }
  exp(): Tensor { return ops.exp(this); }
  log(): Tensor { return ops.log(this); }
  sqrt(): Tensor { return ops.sqrt(this); }
  rsqrt(): Tensor { return ops.rsqrt(this); }
  reciprocal(): Tensor { return ops.reciprocal(this); }
  square(): Tensor { return ops.square(this); }
  tanh(): Tensor { return ops.tanh(this); }
  erf(): Tensor { return ops.erf(this); }
  sigmoid(): Tensor { return ops.sigmoid(this); }
  relu(): Tensor { return ops.relu(this); }
  gelu(): Tensor { return ops.gelu(this); }
  clamp(min?: number, max?: number): Tensor { return ops.clamp(this, min, max); }

  // ---- reductions ----
  sum(axis?: number | readonly number[], options?: { keepDim?: boolean }): Tensor { return ops.sum(this, axis, options); }
  mean(axis?: number | readonly number[], options?: { keepDim?: boolean }): Tensor { return ops.mean(this, axis, options); }
  max(axis?: number, options?: { keepDim?: boolean }): Tensor { return ops.max(this, axis, options); }
  argmax(axis = -1, options?: { keepDim?: boolean }): Tensor { return ops.argmax(this, axis, options); }
  norm(axis?: number, options?: { keepDim?: boolean }): Tensor { return ops.norm(this, axis, options); }

  // ---- linear algebra and nn ----
  matmul(b: Tensor, options?: { transA?: boolean; transB?: boolean }): Tensor { return ops.matmul(this, b, options); }
  softmax(axis = -1): Tensor { return ops.softmax(this, axis); }
  logSoftmax(axis = -1): Tensor { return ops.logSoftmax(this, axis); }
}

setTensorPredicate((v: unknown): v is Tensor => v instanceof Tensor);

function toTyped(dtype: DType, bytes: Uint8Array): AnyTypedArray {
  // copy when the bytes are not aligned for the element size
  const bpe = bytesPerElement(dtype);
  const aligned = bytes.byteOffset % bpe === 0 ? bytes : bytes.slice();
  return viewAs(dtype, aligned.buffer, aligned.byteOffset, aligned.byteLength / bpe);
}

function nest(d: AnyTypedArray, shape: readonly number[], dim: number, off: number): unknown {
  if (dim === shape.length) return d[off];
  const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < shape[dim]!; i++) out.push(nest(d, shape, dim + 1, off + i * stride));
  return out;
}

/** @internal a contiguous, untracked tensor of fresh storage on `backend` */
export function allocTensor(backend: BackendV1, dtype: DType, shape: readonly number[]): Tensor {
  const bytes = numel(shape) * bytesPerElement(dtype);
  return new Tensor(new Storage(backend, backend.alloc(bytes)), dtype, shape);
}

/** @internal a view on the same storage */
export function makeView(t: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
  return new Tensor(t.storage, t.dtype, shape, strides, offset);
}

/** @internal a handle that no scope tracks (saved tensors, gradients, parameters) */
export function retainHandle(t: Tensor): Tensor {
  return keep(new Tensor(t.storage, t.dtype, t.shape, t.strides, t.offset));
}

/**
 * @internal Records `out` as produced by op `name` from `inputs`, when grad is enabled and an
 * input requires grad. `saved` tensors are retained for the backward function.
 */
export function recordOp(
  out: Tensor,
  name: string,
  inputs: readonly Tensor[],
  saved: readonly Tensor[],
  backward: GradNode['backward'],
): Tensor {
  if (!isGradEnabled() || !inputs.some((t) => t.requiresGrad)) return out;
  const next = inputs.map((t) => (t.node ? { node: t.node } : t.requiresGrad ? { leaf: t } : null));
  out.node = new GradNode(name, next, saved.map(retainHandle), backward, inputs.map((t) => t.shape));
  return out;
}
