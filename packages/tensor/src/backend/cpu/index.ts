import type { DType } from '../../dtype.js';
import { BackendError } from '../../errors.js';
import {
  BACKEND_API_VERSION, type BackendBuffer, type BackendCapabilities, type BackendV1, type MemoryInfo, type OpAttrs,
  type OpName, type TensorView,
} from '../contract.js';
import { MemoryLedger } from '../kit/ledger.js';
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
  private readonly ledger = new MemoryLedger<CpuBuffer>();

  constructor(name = 'cpu') {
    this.name = name;
  }

  alloc(byteLength: number): BackendBuffer {
    if (!(byteLength >= 0) || byteLength > this.capabilities.maxBufferBytes) {
      throw new BackendError(`cpu: cannot allocate ${byteLength} bytes (limit ${this.capabilities.maxBufferBytes})`);
    }
    // round up to 8 bytes so a float64 view of any buffer is legal
    return this.ledger.add({ byteLength, bytes: new Uint8Array(Math.ceil(byteLength / 8) * 8) });
  }

  free(buffer: BackendBuffer): void {
    // the bytes go with the last reference; the ledger only stops counting them
    this.ledger.remove(buffer as CpuBuffer);
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
    return this.ledger.memory();
  }

  resetPeak(): void {
    this.ledger.resetPeak();
  }

  dispose(): void {
    this.ledger.clear();
  }
}
