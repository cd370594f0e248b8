import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { matmul, randn } from '@edora/tensor';
import { runConformance } from '@edora/tensor/conformance';
import { blasOperand } from '../src/index.js';
import { BLAS_THIN_MAX, blasThreadsFor, createWasmBackend, loadBlas } from '../src/node.js';

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

describe('blasThreadsFor: thin products on one BLAS thread', () => {
  it('any dimension ≤ BLAS_THIN_MAX gives one thread; larger products get them all', () => {
    expect(BLAS_THIN_MAX).toBe(32);
    expect(blasThreadsFor(768, 26, 768, 2)).toBe(1); // a randomized SVD block
    expect(blasThreadsFor(26, 3072, 768, 2)).toBe(1);
    expect(blasThreadsFor(1024, 768, 16, 4)).toBe(1); // a rank-16 adapter's up-projection
    expect(blasThreadsFor(33, 768, 768, 2)).toBe(2);
    expect(blasThreadsFor(4096, 768, 768, 4)).toBe(4);
  });
});

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

describe.runIf(blas.ok)('products through the BLAS, thin and thick alternating (the thread setting changes between them)', () => {
  it('each matches a float64 recomputation', async () => {
    const be = createWasmBackend({ threads: 2 });
    try {
      for (const [m, k, n] of [[96, 80, 8], [96, 80, 64], [4, 200, 70], [64, 48, 40]] as const) {
        const a = randn([m, k], { seed: m + k, backend: be });
        const b = randn([k, n], { seed: n, backend: be });
        const c = matmul(a, b);
        const [A, B, C] = await Promise.all([a.data(), b.data(), c.data()]);
        let worst = 0;
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += A[i * k + p]! * B[p * n + j]!;
            worst = Math.max(worst, Math.abs(C[i * n + j]! - s));
          }
        }
        expect(worst, `${m}×${k}·${k}×${n}`).toBeLessThan(1e-4 * Math.sqrt(k));
        [a, b, c].forEach((t) => t.dispose());
      }
    } finally {
      be.dispose();
    }
  });
});

if (blas.ok) {
  runConformance({ name: 'wasm + system BLAS', create: () => createWasmBackend({ threads: 2, parallelMinFlops: 0, poisonReusedMemory: true }) });
}
