/**
 * A size-bucketed pool of GPU buffers. Creating and destroying GPU buffers costs a driver round
 * trip each, and a training step allocates hundreds of same-sized temporaries, so freed buffers
 * wait here to be handed out again for any request of the same bucket.
 *
 * Reuse is safe without fences because every use goes through one queue in order: work enqueued
 * before a free finishes before work enqueued after the next alloc (the backend flushes pending
 * commands before a `queue.writeBuffer` into a buffer they touch).
 */
export const MIN_BUCKET_BYTES = 256;

/**
 * Bucket of a request: powers of two up to 1 MiB, then multiples of a sixteenth of the enclosing
 * power of two, so above 1 MiB a pooled buffer exceeds its request by at most 12.5%.
 */
export function bucketBytes(byteLength: number): number {
  if (byteLength <= MIN_BUCKET_BYTES) return MIN_BUCKET_BYTES;
  const pow = 2 ** Math.ceil(Math.log2(byteLength));
  if (pow <= 1 << 20) return pow;
  const step = pow / 16;
  return Math.ceil(byteLength / step) * step;
}

export interface PoolStats {
  /** Buffers handed out and not yet returned. */
  live: number;
  /** Requested bytes of those buffers. */
  liveBytes: number;
  /** Buffers created over the pool's life (a flat count across steps means reuse works). */
  created: number;
  /** Bytes held in free lists. */
  pooledBytes: number;
}

export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private stats: PoolStats = { live: 0, liveBytes: 0, created: 0, pooledBytes: 0 };

  constructor(
    private readonly create: (size: number) => GPUBuffer,
    /** Pooled bytes above this are destroyed on release instead of kept. */
    private readonly maxPooledBytes: number,
  ) {}

  acquire(byteLength: number): GPUBuffer {
    const size = bucketBytes(byteLength);
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.stats.pooledBytes -= size;
    } else {
      buf = this.create(size);
      this.stats.created++;
    }
    this.stats.live++;
    this.stats.liveBytes += byteLength;
    return buf;
  }

  release(buf: GPUBuffer, byteLength: number): void {
    this.stats.live--;
    this.stats.liveBytes -= byteLength;
    if (this.stats.pooledBytes + buf.size > this.maxPooledBytes) {
      buf.destroy();
      return;
    }
    let list = this.free.get(buf.size);
    if (!list) this.free.set(buf.size, (list = []));
    list.push(buf);
    this.stats.pooledBytes += buf.size;
  }

  /** Destroys every pooled (not live) buffer. */
  trim(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.stats.pooledBytes = 0;
  }

  snapshot(): Readonly<PoolStats> {
    return { ...this.stats };
  }
}
