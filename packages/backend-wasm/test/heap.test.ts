import { describe, expect, it } from 'vitest';
import { WasmHeap, sizeClass } from '../src/heap.js';

// Reused blocks are not cleared (every op writes all of its outputs; clearing cost 14% of a
// training step), unless poisoning is asked for, which tests use to catch reads of stale memory.
describe('WasmHeap block reuse', () => {
  const memory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 2, maximum: 64, shared: true });

  it('a freed block is handed out again for its size class, with its old contents', () => {
    const heap = new WasmHeap(memory(), 1024, 64 * 65536);
    const a = heap.alloc(1000);
    expect(a.size).toBe(sizeClass(1000));
    new Uint8Array(heap.memory.buffer, a.ptr, a.size).fill(7);
    heap.release(a.ptr, a.size);
    expect(heap.pooledBytes).toBe(a.size);
    const b = heap.alloc(990); // same class
    expect(b.ptr).toBe(a.ptr);
    expect(heap.pooledBytes).toBe(0);
    expect(new Uint8Array(heap.memory.buffer, b.ptr, b.size).every((x) => x === 7)).toBe(true);
    const fresh = heap.alloc(1000);
    expect(new Uint8Array(heap.memory.buffer, fresh.ptr, fresh.size).every((x) => x === 0)).toBe(true);
  });

  it('poisoned: a reused block reads as NaN (float32) until written', () => {
    const heap = new WasmHeap(memory(), 1024, 64 * 65536, true);
    const a = heap.alloc(256);
    new Float32Array(heap.memory.buffer, a.ptr, 64).fill(1.5);
    heap.release(a.ptr, a.size);
    const b = heap.alloc(256);
    expect(b.ptr).toBe(a.ptr);
    expect(Array.from(new Float32Array(heap.memory.buffer, b.ptr, 64)).every(Number.isNaN)).toBe(true);
  });
});

// Issue 15 item 8: after an out-of-memory, fit runs the batch again in halves; their size classes
// differ from the whole batch's, so without coalescing the pools held 3.7 GB nothing could use.
describe('WasmHeap at its limit', () => {
  const LIMIT = 4 * 65536;
  const memory = (): WebAssembly.Memory => new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });

  it('merges freed neighbours and gives a free run at the top back, so other sizes fit', () => {
    const heap = new WasmHeap(memory(), 1024, LIMIT);
    const live = heap.alloc(4096); // stays live below the blocks that are freed
    const big = Array.from({ length: 3 }, () => heap.alloc(65536));
    expect(() => heap.alloc(65536)).toThrow(expect.objectContaining({ outOfMemory: true }));
    for (const b of big) heap.release(b.ptr, b.size);
    expect(heap.pooledBytes).toBe(3 * 65536);
    // no pooled block is of this class (48 KiB) and the bump pointer is near the limit
    const halves = Array.from({ length: 4 }, () => heap.alloc(49152));
    expect(halves.map((h) => h.size)).toEqual([49152, 49152, 49152, 49152]);
    const ends = halves.map((h) => [h.ptr, h.ptr + h.size] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ends.length; i++) expect(ends[i]![0]).toBeGreaterThanOrEqual(ends[i - 1]![1]); // no overlap
    expect(ends[0]![0]).toBeGreaterThanOrEqual(live.ptr + live.size);
    expect(ends.at(-1)![1]).toBeLessThanOrEqual(LIMIT);
    expect(heap.reservedBytes).toBe(ends.at(-1)![1]);
  });

  it('splits a larger pooled block when merging does not free the top', () => {
    const heap = new WasmHeap(memory(), 1024, LIMIT);
    const a = heap.alloc(65536);
    const b = heap.alloc(65536);
    const top = heap.alloc(65536); // live at the top: nothing returns to the bump pointer
    const filler = heap.alloc(57344); // leaves 7 KiB below the limit
    expect(filler.ptr + filler.size).toBe(LIMIT - 7168);
    heap.release(a.ptr, a.size);
    heap.release(b.ptr, b.size); // a and b merge into one 128 KiB run
    expect(heap.reservedBytes).toBe(LIMIT - 7168);
    const x = heap.alloc(80000);
    const y = heap.alloc(40000);
    expect(x.ptr).toBe(a.ptr);
    expect(y.ptr).toBe(a.ptr + x.size);
    expect(y.ptr + y.size).toBeLessThanOrEqual(top.ptr);
    expect(heap.pooledBytes).toBe(2 * 65536 - x.size - y.size);
    expect(() => heap.alloc(65536)).toThrow(/out of memory: asked for 65536 bytes/);
  });

  it('poisoned: memory the bump pointer hands out again reads as NaN', () => {
    const heap = new WasmHeap(memory(), 1024, LIMIT, true);
    const blocks = Array.from({ length: 3 }, () => heap.alloc(65536));
    for (const b of blocks) new Float32Array(heap.memory.buffer, b.ptr, 16).fill(2);
    for (const b of blocks) heap.release(b.ptr, b.size);
    expect(() => heap.alloc(65536 * 2 + 4096)).not.toThrow();
    const again = heap.alloc(4096 * 3);
    expect(Array.from(new Float32Array(heap.memory.buffer, again.ptr, 16)).every(Number.isNaN)).toBe(true);
  });

  it('below the limit, a new size reuses pooled memory before growing (evaluation after training)', () => {
    const heap = new WasmHeap(memory(), 1024, LIMIT);
    const train = Array.from({ length: 2 }, () => heap.alloc(65536));
    for (const b of train) heap.release(b.ptr, b.size);
    const reserved = heap.reservedBytes;
    const evalBlocks = Array.from({ length: 3 }, () => heap.alloc(40000)); // 3 × 40 KiB from 2 × 64 KiB
    expect(heap.reservedBytes).toBeLessThanOrEqual(reserved);
    for (const b of evalBlocks) heap.release(b.ptr, b.size);
    // and training's sizes come back from the merged run
    const again = Array.from({ length: 2 }, () => heap.alloc(65536));
    expect(heap.reservedBytes).toBeLessThanOrEqual(reserved);
    expect(new Set(again.map((b) => b.ptr)).size).toBe(2);
  });
});
