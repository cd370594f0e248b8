import {
  BACKEND_API_VERSION, type BackendBuffer, type BackendCapabilities, type BackendV1, type DType, type MemoryInfo, type OpAttrs,
  type OpName, type TensorView,
} from '@edora/tensor';
import { MemoryLedger, runOnHost } from '@edora/tensor/backend-kit';

/** Memory the cpu kernels cannot read directly (no `bytes` field): only readSync/write reach it. */
interface HostOnlyBuffer extends BackendBuffer {
  readonly store: Uint8Array;
}

/**
 * A test backend with no kernels at all: every op goes through the host fallback. It counts the
 * bytes that cross its read and write, so tests can see the fallback really round-trips.
 */
export class HostOnlyBackend implements BackendV1 {
  readonly apiVersion = BACKEND_API_VERSION;
  readonly capabilities: BackendCapabilities = { float64: true, maxBufferBytes: 2 ** 30, async: false, device: 'host-only test backend' };
  readonly ledger = new MemoryLedger<HostOnlyBuffer>();
  bytesRead = 0;
  bytesWritten = 0;

  constructor(
    readonly name = 'host-only',
    /** Ops that `supportsOp` accepts; the rest the core must route to the host fallback itself. */
    private readonly claimed: (op: OpName) => boolean = () => true,
  ) {}

  alloc(byteLength: number): BackendBuffer {
    return this.ledger.add({ byteLength, store: new Uint8Array(byteLength) });
  }
  free(buffer: BackendBuffer): void {
    this.ledger.remove(buffer as HostOnlyBuffer);
  }
  write(buffer: BackendBuffer, data: ArrayBufferView, byteOffset = 0): void {
    this.bytesWritten += data.byteLength;
    (buffer as HostOnlyBuffer).store.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), byteOffset);
  }
  readSync(buffer: BackendBuffer, byteOffset: number, byteLength: number): Uint8Array {
    this.bytesRead += byteLength;
    return (buffer as HostOnlyBuffer).store.slice(byteOffset, byteOffset + byteLength);
  }
  read(buffer: BackendBuffer, byteOffset: number, byteLength: number): Promise<Uint8Array> {
    return Promise.resolve(this.readSync(buffer, byteOffset, byteLength));
  }
  copyBuffer(src: BackendBuffer, srcByteOffset: number, dst: BackendBuffer, dstByteOffset: number, byteLength: number): void {
    const s = (src as HostOnlyBuffer).store;
    (dst as HostOnlyBuffer).store.set(s.slice(srcByteOffset, srcByteOffset + byteLength), dstByteOffset);
  }
  supportsOp(op: OpName, _dtypes: readonly DType[]): boolean {
    return this.claimed(op);
  }
  run<O extends OpName>(op: O, inputs: readonly TensorView[], outputs: readonly TensorView[], attrs: OpAttrs[O]): void {
    runOnHost(this, op, inputs, outputs, attrs);
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
