import type { DType } from '../../dtype.js';
import { BackendError } from '../../errors.js';
import {
  BACKEND_API_VERSION, type BackendBuffer, type BackendCapabilities, type BackendV1, type MemoryInfo, type OpAttrs,
  type OpName, type TensorView,
} from '../contract.js';
import type { CpuBuffer } from './buffer.js';
import { cpuKernels, runCpuKernel } from './kernels/index.js';

/**
 * The reference backend: pure TypeScript, synchronous, every op of the contract, float64 included.
 * It is the embedded default and the baseline every other backend is measured against.
 */
export class CpuBackend implements BackendV1 {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly name: string;
  readonly capabilities: BackendCapabilities = {
    float64: true,
    maxBufferBytes: 2 ** 31 - 8,
    async: false,
    device: 'CPU (pure TypeScript)',
  };
  private live = new Set<CpuBuffer>();
  private liveBytes = 0;
  private peak = 0;

  constructor(name = 'cpu') {
    this.name = name;
  }

  alloc(byteLength: number): BackendBuffer {
    if (!(byteLength >= 0) || byteLength > this.capabilities.maxBufferBytes) {
      throw new BackendError(`cpu: cannot allocate ${byteLength} bytes (limit ${this.capabilities.maxBufferBytes})`);
    }
    // round up to 8 bytes so a float64 view of any buffer is legal
    const buf: CpuBuffer = { byteLength, bytes: new Uint8Array(Math.ceil(byteLength / 8) * 8) };
    this.live.add(buf);
    this.liveBytes += byteLength;
    if (this.liveBytes > this.peak) this.peak = this.liveBytes;
    return buf;
  }

  free(buffer: BackendBuffer): void {
    const b = buffer as CpuBuffer;
    if (this.live.delete(b)) this.liveBytes -= b.byteLength;
  }

  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset = 0): void {
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    (buffer as CpuBuffer).bytes.set(src, byteOffset);
  }

  readSync(buffer: BackendBuffer, byteOffset: number, byteLength: number): Uint8Array {
    return (buffer as CpuBuffer).bytes.slice(byteOffset, byteOffset + byteLength);
  }

  read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    return Promise.resolve(this.readSync(buffer, byteOffset, byteLength));
  }

  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void {
    (dst as CpuBuffer).bytes.set((src as CpuBuffer).bytes.subarray(srcByteOffset, srcByteOffset + byteLength), dstByteOffset);
  }

  supportsOp(op: OpName, _dtypes: readonly DType[]): boolean {
    return op in cpuKernels;
  }

  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
    try {
      runCpuKernel(op, inputs, outputs, attrs);
    } catch (err) {
      if (err instanceof RangeError) throw new BackendError(`cpu ${op}: ${err.message}`, { cause: err });
      throw err;
    }
  }

  flush(): void {}
  sync(): Promise<void> {
    return Promise.resolve();
  }

  memory(): MemoryInfo {
    return { buffers: this.live.size, bytes: this.liveBytes, peakBytes: this.peak };
  }

  resetPeak(): void {
    this.peak = this.liveBytes;
  }

  dispose(): void {
    this.live.clear();
    this.liveBytes = 0;
  }
}

export type { CpuBuffer } from './buffer.js';
export { arrayOf } from './buffer.js';
export { cpuKernels, runCpuKernel } from './kernels/index.js';
export { forEachRow, collapseDims } from './strided.js';
