import type { CudaBackend } from './backend.js';
import { FAULT_OPS } from './codes.js';
import { CudaIndexError } from './errors.js';

/**
 * Out-of-range row ids, reported from inside kernels (csrc/rows.cu): gatherRows and scatterAddRows
 * write (op code, id, rows) of the first bad id into these three device words. After a launch that may
 * write it, the next `read()`/`sync()` copies it out with the stream already drained, clears it and
 * raises `CudaIndexError` with the cpu backend's message.
 */
export class FaultWord {
  private readonly backend: CudaBackend;
  private ptr = 0;
  private armed = false;
  private readonly host = new Int32Array(4);

  constructor(backend: CudaBackend) {
    this.backend = backend;
  }

  /** The device pointer for a kernel that may report; the next check reads the word. */
  arm(): number {
    const { driver, stream } = this.backend.internals;
    if (this.ptr === 0) {
      const out: [number] = [0];
      driver.call('cuMemAlloc_v2', 'allocating the fault word', out, 16);
      this.ptr = Number(out[0]);
      driver.call('cuMemsetD32Async', 'clearing the fault word', this.ptr, 0, 4, stream);
    }
    this.armed = true;
    return this.ptr;
  }

  /** Called with the stream drained. */
  check(): void {
    if (!this.armed) return;
    this.armed = false;
    const { driver, stream } = this.backend.internals;
    driver.call('cuMemcpyDtoHAsync_v2', 'reading the fault word', this.host, this.ptr, 16, stream);
    driver.call('cuStreamSynchronize', 'reading the fault word', stream);
    const op = FAULT_OPS[this.host[0]!] ?? 'none';
    if (op === 'none') return;
    driver.call('cuMemsetD32Async', 'clearing the fault word', this.ptr, 0, 4, stream);
    throw new CudaIndexError(`cuda ${op}: index ${this.host[1]} is out of range for a table of ${this.host[2]} rows`);
  }

  dispose(): void {
    if (this.ptr !== 0) this.backend.internals.driver.raw('cuMemFree_v2', this.ptr);
    this.ptr = 0;
  }
}
