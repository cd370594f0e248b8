import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { runConformance } from '@edora/tensor/conformance';
import { blasOperand } from '../src/index.js';
import { createWasmBackend, loadBlas } from '../src/node.js';

// The system BLAS as the wasm backend's GEMM (the float64 comparisons over every layout are in
// gemm.test.ts): operand layouts, that koffi hands the BLAS the wasm memory itself (no copy),
// that a missing BLAS says what was searched, and the conformance suite with BLAS products.

describe('blasOperand: the (trans, ld) a row-major CBLAS reads a strided matrix with', () => {
  it('row-major and column-major storage, with padding', () => {
    expect(blasOperand(3, 4, 4, 1)).toEqual({ transposed: false, ld: 4 });
    expect(blasOperand(3, 4, 6, 1)).toEqual({ transposed: false, ld: 6 });
    expect(blasOperand(3, 4, 1, 3)).toEqual({ transposed: true, ld: 3 });
    expect(blasOperand(3, 4, 1, 5)).toEqual({ transposed: true, ld: 5 });
  });
  it('a dimension of length 1 takes any stride', () => {
    expect(blasOperand(1, 4, 0, 1)).toEqual({ transposed: false, ld: 4 });
    expect(blasOperand(3, 1, 7, 0)).toEqual({ transposed: false, ld: 7 });
    expect(blasOperand(1, 1, 0, 0)).toEqual({ transposed: false, ld: 1 });
  });
  it('broadcast rows, overlapping rows and two non-unit strides have no BLAS layout', () => {
    expect(blasOperand(3, 4, 0, 1)).toBeNull();
    expect(blasOperand(3, 4, 2, 1)).toBeNull();
    expect(blasOperand(3, 4, 8, 2)).toBeNull();
  });
});

const blas = loadBlas();

describe('loadBlas', () => {
  it('a path that does not exist: not ok, with that path as what was searched and why it failed', () => {
    const r = loadBlas({ path: 'libno-such-blas.so.9' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.searched).toEqual(['libno-such-blas.so.9']);
      expect(r.reason).toMatch(/libno-such-blas\.so\.9: /);
    }
  });
  it('a library without cblas_sgemm is refused by name', () => {
    const r = loadBlas({ path: 'libc.so.6' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/libc\.so\.6: has no cblas_sgemm/);
  });
  it("blas: 'off' never loads one; an explicit path that fails is an error, not a silent fallback", () => {
    const be = createWasmBackend({ threads: 1, blas: 'off' });
    expect(be.capabilities.device).not.toMatch(/GEMM/);
    be.dispose();
    expect(() => createWasmBackend({ threads: 1, blas: { path: 'libno-such-blas.so.9' } })).toThrow(/no BLAS could be loaded .*searched libno-such-blas\.so\.9/);
  });
});

describe.runIf(process.platform === 'linux')('koffi passes pointers into the wasm memory, not copies (reads libc.so.6: Linux only)', () => {
  it('a C function sees the typed array at its address in the shared memory', () => {
    const koffi = createRequire(import.meta.url)('koffi') as {
      load(p: string): { func(s: string): (...a: unknown[]) => unknown };
      address(p: unknown): bigint;
    };
    const memchr = koffi.load('libc.so.6').func('void *memchr(const void *s, int c, size_t n)');
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 64, shared: true });
    const u8 = new Uint8Array(memory.buffer);
    u8.fill(7);
    const at0 = koffi.address(memchr(new Float32Array(memory.buffer), 7, 4));
    const at1000 = koffi.address(memchr(new Float32Array(memory.buffer).subarray(250), 7, 4));
    expect(at1000 - at0).toBe(1000n);
    memory.grow(1); // a grown shared memory keeps its addresses
    expect(koffi.address(memchr(new Float32Array(memory.buffer), 7, 4))).toBe(at0);
  });
});

if (blas.ok) {
  runConformance({ name: 'wasm + system BLAS', create: () => createWasmBackend({ threads: 2, parallelMinFlops: 0, poisonReusedMemory: true }) });
}
