import type { BackendBuffer, MemoryInfo } from '../contract.js';

/**
 * The memory bookkeeping every backend keeps, in one place so that `memory()` means the same on
 * each: `buffers` and `bytes` count what `alloc` handed out (the requested `byteLength`, not a
 * pool bucket or an alignment round-up) and `free` has not taken back; `peakBytes` is the highest
 * `bytes` since creation or `resetPeak()`. Freeing a buffer twice, or one the ledger never saw, is
 * a no-op that `remove` reports as `false`, so a backend releases the memory exactly once.
 */
export class MemoryLedger<B extends BackendBuffer = BackendBuffer> {
  private readonly live = new Set<B>();
  private liveBytes = 0;
  private peak = 0;

  /** Records a fresh allocation; returns it for `return ledger.add({...})`. */
  add(buffer: B): B {
    if (this.live.has(buffer)) return buffer;
    this.live.add(buffer);
    this.liveBytes += buffer.byteLength;
    if (this.liveBytes > this.peak) this.peak = this.liveBytes;
    return buffer;
  }

  /** Forgets a buffer; true when it was live (the caller then releases its memory). */
  remove(buffer: B): boolean {
    if (!this.live.delete(buffer)) return false;
    this.liveBytes -= buffer.byteLength;
    return true;
  }

  has(buffer: B): boolean {
    return this.live.has(buffer);
  }

  /** `MemoryInfo` as `memory()` returns it; `pooledBytes` for a backend that pools freed memory. */
  memory(pooledBytes?: number): MemoryInfo {
    const info = { buffers: this.live.size, bytes: this.liveBytes, peakBytes: this.peak };
    return pooledBytes === undefined ? info : { ...info, pooledBytes };
  }

  resetPeak(): void {
    this.peak = this.liveBytes;
  }

  /** Forgets every buffer (on `dispose`, when the backend drops its memory wholesale). */
  clear(): void {
    this.live.clear();
    this.liveBytes = 0;
  }
}
