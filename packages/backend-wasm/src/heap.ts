import { WasmBackendError } from './errors.js';

const PAGE = 65536;
const ALIGN = 64;

/**
 * Size class of a request: multiples of 64 bytes up to 256, then quarter steps of the power of two
 * below it (1280, 1536, 1792, 2048, 2560, ...), so a pooled block wastes at most a quarter of
 * itself while a training loop, which asks for the same sizes every step, always finds one.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 4 * ALIGN) return Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
  const step = Math.max(ALIGN, 2 ** (Math.floor(Math.log2(bytes)) - 2));
  return Math.ceil(bytes / step) * step;
}

/**
 * A bump allocator with per-size-class free lists over a shared WebAssembly.Memory. Blocks are
 * never coalesced or returned to the bump pointer: memory only grows, and a freed block waits in
 * its class's list for the next request of that class.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly pools = new Map<number, number[]>();
  private pooled = 0;
  private readonly maxBytes: number;
  private readonly poison: boolean;

  /**
   * `poison`: fill every reused block with 0xff bytes (NaN as float32, −1 as int32), so a kernel
   * that reads an output before writing it shows up in the results (tests run this way).
   */
  constructor(memory: WebAssembly.Memory, base: number, maxBytes: number, poison = false) {
    this.memory = memory;
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.maxBytes = maxBytes;
    this.poison = poison;
  }

  /** Bytes the pools hold for reuse. */
  get pooledBytes(): number {
    return this.pooled;
  }

  /** Bytes of wasm memory in use by blocks (live or pooled) and the reserved low area. */
  get reservedBytes(): number {
    return this.top;
  }

  /**
   * Returns the address of a block of `sizeClass(bytes)` bytes. A reused block holds whatever its
   * last owner left (fresh memory is zero): as on every backend, an op writes all of its outputs,
   * and `zeros` fills explicitly. Zeroing each reused block cost 14% of a training step's CPU time.
   */
  alloc(bytes: number): { ptr: number; size: number } {
    const size = sizeClass(bytes);
    const list = this.pools.get(size);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.pooled -= size;
      if (this.poison) new Uint8Array(this.memory.buffer, reused, size).fill(0xff);
      return { ptr: reused, size };
    }
    const ptr = this.top;
    const end = ptr + size;
    if (end > this.maxBytes) {
      throw new WasmBackendError(
        `wasm: out of memory: asked for ${bytes} bytes with ${this.top - this.pooled} bytes in use and ${this.pooled} pooled; ` +
          `the wasm memory is limited to ${this.maxBytes} bytes`,
        { outOfMemory: true },
      );
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // grow by at least 1/8 of the current size so a growing workload does not grow page by page
      const need = Math.ceil((end - have) / PAGE);
      const want = Math.max(need, Math.ceil(have / PAGE / 8));
      const pages = Math.min(want, Math.floor((this.maxBytes - have) / PAGE));
      this.memory.grow(Math.max(need, pages));
    }
    this.top = end;
    return { ptr, size };
  }

  release(ptr: number, size: number): void {
    let list = this.pools.get(size);
    if (!list) {
      list = [];
      this.pools.set(size, list);
    }
    list.push(ptr);
    this.pooled += size;
  }
}
