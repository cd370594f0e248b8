import {
  BACKEND_API_VERSION, type BackendBuffer, type BackendCapabilities, type BackendV1, type DType, type MemoryInfo,
  type OpAttrs, type OpName, type TensorView,
} from '@edora/tensor';
import {
  forEachRow, MemoryLedger, runKernelOrHost, supportsWithHostFallback, viewSize, type KernelTable,
} from '@edora/tensor/backend-kit';

/*
 * A complete EDoRA.ts backend, written to be copied. Its "device" is plain host memory, so the
 * kernels below are short loops; a real backend replaces each loop with a call into its device
 * (a GPU kernel, a native library) and keeps the rest of this file as it is.
 *
 * What it implements itself: memory (alloc, free, write, read, copyBuffer), and kernels for a
 * handful of ops: fill, copy, add/sub/mul/div, matmul. Every other op of the contract runs on
 * the host fallback (@edora/tensor/backend-kit's runOnHost: the cpu kernels, through this
 * backend's own readSync and write), and is counted, so `backendStats()` and
 * `edora backends --verbose` show what still needs a kernel. The backend declares `denseOnly`,
 * so only `copy` has to understand strided and broadcast views.
 */

/** Step 1 — a buffer: whatever handle your device gives you, plus the requested byte length. */
interface TemplateBuffer extends BackendBuffer {
  readonly memory: ArrayBuffer;
}

/** The typed array a kernel works on, and where the view starts in it. */
function f32(view: TensorView): Float32Array {
  return new Float32Array((view.buffer as TemplateBuffer).memory);
}

/** A kernel may decline what it does not handle (here: anything but float32); the host fallback runs it. */
const float32 = (views: readonly TensorView[]): boolean => views.every((v) => v.dtype === 'float32');

const ARITHMETIC: Partial<Record<OpAttrs['binary']['fn'], (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
};

/**
 * Step 2 — kernels, one op at a time. With `denseOnly`, every view a kernel other than `copy`
 * receives is row-major contiguous: element i of a view of n elements is `array[view.offset + i]`.
 */
const kernels: KernelTable = {
  fill: (_inputs, [out], { value }) => {
    if (!float32([out!])) return false;
    f32(out!).fill(value, out!.offset, out!.offset + viewSize(out!));
  },

  // the one strided kernel: forEachRow hands it each innermost row of both views
  copy: ([x], [out]) => {
    if (!float32([x!, out!])) return false;
    const src = f32(x!);
    const dst = f32(out!);
    forEachRow(out!.shape, [x!.strides, out!.strides], [x!.offset, out!.offset], (offsets, n, [sx, so]) => {
      for (let i = 0, a = offsets[0]!, b = offsets[1]!; i < n; i++, a += sx!, b += so!) dst[b] = src[a]!;
    });
  },

  binary: ([a, b], [out], { fn }) => {
    const f = ARITHMETIC[fn];
    if (!f || !float32([a!, b!, out!])) return false;
    const [x, y, o] = [f32(a!), f32(b!), f32(out!)];
    for (let i = 0, n = viewSize(out!); i < n; i++) o[out!.offset + i] = f(x[a!.offset + i]!, y[b!.offset + i]!);
  },

  // out[b] = alpha · a[b] @ bm[b] + beta · out[b], a [B, M, K], bm [B, K, N], all dense here
  matmul: ([a, bm], [out], { alpha, beta }) => {
    if (!float32([a!, bm!, out!])) return false;
    const [B, M, K] = a!.shape as [number, number, number];
    const N = bm!.shape[2]!;
    const [x, y, o] = [f32(a!), f32(bm!), f32(out!)];
    for (let batch = 0; batch < B; batch++) {
      const xa = a!.offset + batch * M * K;
      const ya = bm!.offset + batch * K * N;
      const oa = out!.offset + batch * M * N;
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += x[xa + i * K + k]! * y[ya + k * N + j]!;
          const prev = beta === 0 ? 0 : beta * o[oa + i * N + j]!; // beta = 0 ignores what out held (NaN included)
          o[oa + i * N + j] = alpha * acc + prev;
        }
      }
    }
  },
};

/** Step 3 — the backend: memory through the kit's ledger, ops through the kernel table. */
export class TemplateBackend implements BackendV1 {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name: string;
  readonly capabilities: BackendCapabilities = {
    float64: true, // the host fallback holds any dtype; a float32-only device says false
    maxBufferBytes: 2 ** 31 - 8,
    async: false, // run has finished when it returns; the host fallback needs that (readSync)
    device: 'template (host memory, a handful of kernels)',
    denseOnly: true,
  };
  private readonly ledger = new MemoryLedger<TemplateBuffer>();

  constructor(name = 'template') {
    this.name = name;
  }

  alloc(byteLength: number): BackendBuffer {
    // rounded up to 8 bytes so that a float64 (or float32) view of any buffer is legal
    return this.ledger.add({ byteLength, memory: new ArrayBuffer(Math.ceil(byteLength / 8) * 8) });
  }

  free(buffer: BackendBuffer): void {
    this.ledger.remove(buffer as TemplateBuffer); // true once per buffer: release device memory then
  }

  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset = 0): void {
    new Uint8Array((buffer as TemplateBuffer).memory).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), byteOffset);
  }

  readSync(buffer: BackendBuffer, byteOffset: number, byteLength: number): Uint8Array {
    return new Uint8Array((buffer as TemplateBuffer).memory, byteOffset, byteLength).slice();
  }

  read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    return Promise.resolve(this.readSync(buffer, byteOffset, byteLength));
  }

  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void {
    this.write(dst, this.readSync(src, srcByteOffset, byteLength), dstByteOffset);
  }

  supportsOp(op: OpName, dtypes: readonly DType[]): boolean {
    // every tier-0 op (the host fallback covers what has no kernel), tier-1 ops only with a kernel
    return supportsWithHostFallback(kernels, op, dtypes);
  }

  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
    runKernelOrHost(this, kernels, op, inputs, outputs, attrs, { denseOnly: true });
  }

  flush(): void {}

  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): MemoryInfo {
    return this.ledger.memory();
  }

  resetPeak(): void {
    this.ledger.resetPeak();
  }

  dispose(): void {
    this.ledger.clear();
  }
}
