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
 * A bump allocator with per-size-class free lists over a shared WebAssembly.Memory. A freed block
 * waits in its class's list for the next request of that class, which a training loop, asking for
 * the same sizes every step, makes: that path is a list pop. A request its class cannot serve while
 * at least its size is pooled (shapes changed: evaluation after training, a batch run again as
 * micro-batches after an out-of-memory) first coalesces the pools (neighbours merged, a free run at
 * the top handed back to the bump pointer) and takes the smallest pooled block that holds it,
 * pooling the rest; only then does memory grow.
 */
export class WasmHeap {
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly pools = new Map<number, number[]>();
  private pooled = 0;
  private readonly maxBytes: number;
  private readonly poison: boolean;
  /** The highest the bump pointer has been: memory below it may hold old data. */
  private highWater: number;

  /**
   * `poison`: fill every reused block with 0xff bytes (NaN as float32, −1 as int32), so a kernel
   * that reads an output before writing it shows up in the results (tests run this way).
   */
  constructor(memory: WebAssembly.Memory, base: number, maxBytes: number, poison = false) {
    this.memory = memory;
    this.top = Math.ceil(base / ALIGN) * ALIGN;
    this.maxBytes = maxBytes;
    this.poison = poison;
    this.highWater = this.top;
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
    if (this.pooled >= size) {
      // a request no pooled block of its class serves, while enough is pooled: a change of shapes
      // (evaluation after training, a batch retried as micro-batches); reuse before growing
      this.coalesce();
      const split = this.takeLarger(size);
      if (split !== undefined) return { ptr: this.handOut(split, size), size };
    }
    if (this.top + size > this.maxBytes) {
      throw new WasmBackendError(
        `wasm: out of memory: asked for ${bytes} bytes with ${this.top - this.pooled} bytes in use and ${this.pooled} pooled; ` +
          `the wasm memory is limited to ${this.maxBytes} bytes`,
        { outOfMemory: true },
      );
    }
    const ptr = this.top;
    const end = ptr + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      // grow by at least 1/8 of the current size so a growing workload does not grow page by page
      const need = Math.ceil((end - have) / PAGE);
      const want = Math.max(need, Math.ceil(have / PAGE / 8));
      const pages = Math.min(want, Math.floor((this.maxBytes - have) / PAGE));
      this.memory.grow(Math.max(need, pages));
    }
    this.top = end;
    return { ptr: this.handOut(ptr, size), size };
  }

  /** In poison mode, fills a block that may hold an earlier owner's data. */
  private handOut(ptr: number, size: number): number {
    if (this.poison && ptr < this.highWater) new Uint8Array(this.memory.buffer, ptr, size).fill(0xff);
    this.highWater = Math.max(this.highWater, ptr + size);
    return ptr;
  }

  /** Merges adjacent pooled blocks into one, and gives a pooled run that ends at the top back to the bump pointer. */
  private coalesce(): void {
    const blocks: [number, number][] = [];
    for (const [size, list] of this.pools) for (const ptr of list) blocks.push([ptr, size]);
    if (blocks.length === 0) return;
    blocks.sort((a, b) => a[0] - b[0]);
    this.pools.clear();
    this.pooled = 0;
    let [start, length] = blocks[0]!;
    const merged: [number, number][] = [];
    for (let i = 1; i < blocks.length; i++) {
      const [ptr, size] = blocks[i]!;
      if (ptr === start + length) length += size;
      else {
        merged.push([start, length]);
        [start, length] = [ptr, size];
      }
    }
    merged.push([start, length]);
    const last = merged[merged.length - 1]!;
    if (last[0] + last[1] === this.top) {
      this.top = last[0];
      merged.pop();
    }
    for (const [ptr, size] of merged) this.release(ptr, size);
  }

  /** The smallest pooled block of at least `size` bytes, its tail beyond `size` pooled again; undefined if none. */
  private takeLarger(size: number): number | undefined {
    let best: number | undefined;
    for (const [s, list] of this.pools) if (s >= size && list.length > 0 && (best === undefined || s < best)) best = s;
    if (best === undefined) return undefined;
    const ptr = this.pools.get(best)!.pop()!;
    this.pooled -= best;
    if (best > size) this.release(ptr + size, best - size);
    return ptr;
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
