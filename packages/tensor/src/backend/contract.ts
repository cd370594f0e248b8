import type { DType } from '../dtype.js';

/**
 * The backend contract, version 1.
 *
 * A backend owns memory and runs ops; the core (`Tensor`, autograd, composite fallbacks, scopes)
 * owns everything else. A third party implements this interface and calls `registerBackend`.
 * Backward passes never live in a backend: they are composed from the ops below by the core.
 *
 * Execution model: `run` only enqueues. Results become observable through `read` (a Promise).
 * A synchronous backend may execute inside `run`; an asynchronous one (WebGPU, CUDA streams)
 * batches work and submits it on `flush()` or when a read needs it.
 */
export const BACKEND_API_VERSION = 1 as const;

/** An opaque allocation owned by one backend. Backends may attach their own fields. */
export interface BackendBuffer {
  /** Size in bytes as requested from `alloc`. */
  readonly byteLength: number;
}

/**
 * A strided view of a buffer, the unit every op reads and writes. `offset` and `strides` are in
 * elements of `dtype`. A stride of 0 broadcasts. Shapes may contain 0 (empty tensors).
 */
export interface TensorView {
  readonly buffer: BackendBuffer;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

export type UnaryFn =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'log'
  | 'sqrt'
  | 'rsqrt'
  | 'reciprocal'
  | 'square'
  | 'tanh'
  | 'erf'
  | 'sigmoid'
  | 'relu'
  | 'gelu';

export const UNARY_FNS: readonly UnaryFn[] = [
  'neg', 'abs', 'sign', 'exp', 'log', 'sqrt', 'rsqrt', 'reciprocal', 'square', 'tanh', 'erf', 'sigmoid', 'relu', 'gelu',
];

export type ArithmeticFn = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min';
export type CompareFn = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
export type BinaryFn = ArithmeticFn | CompareFn;

export const ARITHMETIC_FNS: readonly ArithmeticFn[] = ['add', 'sub', 'mul', 'div', 'pow', 'max', 'min'];
export const COMPARE_FNS: readonly CompareFn[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

export type ReduceFn = 'sum' | 'max' | 'argmax';

export type RandomDist = 'uniform' | 'normal' | 'bernoulli';

export type Activation = 'none' | 'relu' | 'gelu' | 'tanh';

/**
 * Every op, with its inputs, outputs and attributes. Shapes below use the output's dims.
 *
 * Tier 0 (every backend implements these):
 * - `fill`     out ← value.
 * - `copy`     out ← x, elementwise over strided views of equal shape and dtype (contiguous copy,
 *              writes into slices for concat, ...).
 * - `cast`     out ← x converted to out.dtype (float→int truncates toward zero).
 * - `unary`    out ← fn(x). `gelu` is the exact erf form.
 * - `binary`   out ← fn(a, b); a and b arrive already broadcast to out.shape (stride 0). Comparisons
 *              write 1 or 0 into a float32 out.
 * - `where`    out ← cond ≠ 0 ? a : b (all broadcast to out.shape).
 * - `reduce`   out ← fn over `axis` of x; out.shape equals x.shape with shape[axis] = 1. `argmax`
 *              writes int32, first index of the maximum.
 * - `matmul`   out[b] ← alpha · a[b] @ bm[b] + beta · out[b]. a: [B, M, K], bm: [B, K, N], out:
 *              [B, M, N] contiguous. For each operand the core guarantees that the last two dims are
 *              either row-major (strides[2] = 1) or column-major (strides[1] = 1): a transposed
 *              operand is expressed by its strides, BLAS-style. The batch stride may be 0.
 * - `gatherRows`      out[i, :] ← table[idx[i], :]; table [V, D], idx int32 [N], out [N, D].
 * - `scatterAddRows`  out[idx[i], :] += src[i, :]; src [N, D], idx int32 [N], out [V, D].
 * - `random`   out ← samples from the counter-based generator (see `rng/philox.ts`): element i of
 *              the contiguous out uses counter `offset + i` and key `seed`. Identical on every backend.
 *
 * Tier 1 (optional, fused; the core has a composite fallback for each, and a backend's fused
 * version must match it within tolerance). Inputs are contiguous, the reduced axis is the last:
 * - `softmax` [x] → [y];  `softmaxBackward` [y, dy] → [dx]
 * - `logSoftmax` [x] → [y];  `logSoftmaxBackward` [y, dy] → [dx]
 * - `softmaxCrossEntropy` [logits (N, C), labels int32 (N)] → [loss (N), probs (N, C)];
 *   rows whose label is `ignoreIndex` (or out of [0, C)) get loss 0.
 * - `softmaxCrossEntropyBackward` [probs, labels, dloss (N)] → [dlogits]
 * - `layerNorm` [x (N, D), gamma (D), beta (D)] → [y, mean (N), rstd (N)]
 * - `layerNormBackward` [x, gamma, mean, rstd, dy] → [dx, dgamma, dbeta]
 * - `geluBackward` [x, dy] → [dx]
 * - `rowNorm` [w (R, C)] → [n (R)], n = sqrt(Σ_c w²) (DoRA's weight norm)
 * - `matmulBiasAct` [a, b, bias (N)] → [out]: act(a @ b + bias), operands as in `matmul`, alpha=1, beta=0
 * - `adamw` [param, grad, m, v] → [param, m, v] updated in place (outputs alias inputs); see attrs
 * - `dropout` [x] → [y]: y[i] = x[i] · (u0(seed, offset + i) < keep ? scale : 0), the product
 *   rounded once to the dtype; u0 is the Philox uniform of `random` (rng/philox.ts), so the mask
 *   is bit for bit `random`'s Bernoulli(keep) draw. Backward runs the same op on dy, regenerating
 *   the mask from (seed, offset) instead of storing it. Must be bit-identical to the composite.
 */
export interface OpAttrs {
  fill: { value: number };
  copy: Record<string, never>;
  cast: Record<string, never>;
  unary: { fn: UnaryFn };
  binary: { fn: BinaryFn };
  where: Record<string, never>;
  reduce: { fn: ReduceFn; axis: number };
  matmul: { alpha: number; beta: number };
  gatherRows: Record<string, never>;
  scatterAddRows: Record<string, never>;
  random: {
    dist: RandomDist;
    seed: number;
    offset: number;
    /** uniform: [low, high); normal: mean, std; bernoulli: P(1) = p */
    low?: number;
    high?: number;
    mean?: number;
    std?: number;
    p?: number;
  };
  softmax: Record<string, never>;
  softmaxBackward: Record<string, never>;
  logSoftmax: Record<string, never>;
  logSoftmaxBackward: Record<string, never>;
  softmaxCrossEntropy: { ignoreIndex: number };
  softmaxCrossEntropyBackward: { ignoreIndex: number };
  layerNorm: { eps: number };
  layerNormBackward: Record<string, never>;
  geluBackward: Record<string, never>;
  rowNorm: Record<string, never>;
  matmulBiasAct: { activation: Activation };
  adamw: {
    lr: number;
    beta1: number;
    beta2: number;
    eps: number;
    weightDecay: number;
    /** 1-based step count, for bias correction */
    step: number;
  };
  dropout: {
    seed: number;
    offset: number;
    /** probability of keeping an element, 1 − dropout rate */
    keep: number;
    /** what a kept element is multiplied by: 1 / keep, already rounded to the dtype */
    scale: number;
  };
}

export type OpName = keyof OpAttrs;

export const TIER0_OPS = [
  'fill', 'copy', 'cast', 'unary', 'binary', 'where', 'reduce', 'matmul', 'gatherRows', 'scatterAddRows', 'random',
] as const satisfies readonly OpName[];

export const TIER1_OPS = [
  'softmax', 'softmaxBackward', 'logSoftmax', 'logSoftmaxBackward', 'softmaxCrossEntropy',
  'softmaxCrossEntropyBackward', 'layerNorm', 'layerNormBackward', 'geluBackward', 'rowNorm', 'matmulBiasAct', 'adamw',
  'dropout',
] as const satisfies readonly OpName[];

export type Tier0Op = (typeof TIER0_OPS)[number];
export type Tier1Op = (typeof TIER1_OPS)[number];

export interface BackendCapabilities {
  /** Whether float64 tensors can live on this backend. */
  readonly float64: boolean;
  /** Largest single allocation in bytes. */
  readonly maxBufferBytes: number;
  /** True when `run` defers work (reads must await it). */
  readonly async: boolean;
  /** Human-readable device, e.g. "CPU (pure TypeScript)", "NVIDIA H200 (Vulkan)". */
  readonly device: string;
  /**
   * True when the backend's kernels other than `copy` take dense (row-major contiguous) views
   * only: the core then copies strided and broadcast operands through the backend's `copy`
   * before every other op (`runDense` in `@edora/tensor/backend-kit`), so only `copy` handles strides.
   */
  readonly denseOnly?: boolean;
}

export interface MemoryInfo {
  /** Live allocations handed out by `alloc` and not yet freed. */
  readonly buffers: number;
  /** Bytes in those live allocations. */
  readonly bytes: number;
  /** Highest `bytes` seen since creation (or since `resetPeak`). */
  readonly peakBytes: number;
  /** Bytes held by a buffer pool for reuse (not live), if the backend pools. */
  readonly pooledBytes?: number;
}

export interface BackendV1 {
  readonly apiVersion: typeof BACKEND_API_VERSION;
  /** Registry name, e.g. "cpu", "wasm", "webgpu". */
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  // --- memory ---
  alloc(byteLength: number): BackendBuffer;
  free(buffer: BackendBuffer): void;
  /** Copy host bytes into `buffer` at `byteOffset` (enqueued in order with ops). */
  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset?: number): void;
  /** Read bytes back; resolves after all previously enqueued work that writes `buffer`. */
  read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array>;
  /** Synchronous read, only for backends that can (the cpu backend). */
  readSync?(buffer: BackendBuffer, byteOffset: number, byteLength: number): Uint8Array;
  /** Raw byte copy between two buffers of this backend. */
  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void;

  // --- ops ---
  supportsOp(op: OpName, dtypes: readonly DType[]): boolean;
  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void;

  // --- lifecycle ---
  /** Submit enqueued work without waiting. */
  flush(): void;
  /** Resolve once all enqueued work has finished; rejects with a typed error if any failed. */
  sync(): Promise<void>;
  memory(): MemoryInfo;
  resetPeak?(): void;
  dispose(): void | Promise<void>;
}

/** Creates a backend; may be async (a GPU adapter request). */
export type BackendFactory = () => BackendV1 | Promise<BackendV1>;
