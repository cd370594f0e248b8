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
