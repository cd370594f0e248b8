import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { adamwStep, dropout, keep, randn, softmax, tensorStats, tidy, useBackend, zerosLike } from '@edora/tensor';
import { createWasmBackend, WasmBackend, WasmBackendError } from '../src/node.js';

const linux = process.platform === 'linux';
/** Threads of this process, from /proc (Linux only). */
const osThreads = (): number => readdirSync('/proc/self/task').length;

function runChild(mode: string): Promise<{ code: number | null; stdout: string; ms: number }> {
  const script = fileURLToPath(new URL('./fixtures/exit-child.ts', import.meta.url));
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--conditions=@edora/source', '--import', 'tsx', script, mode],
      { timeout: 30_000, cwd: fileURLToPath(new URL('..', import.meta.url)) },
      (err, stdout) => {
        if (err && child.exitCode === null) reject(new Error(`child did not exit (${mode}): ${err.message}`));
        else resolve({ code: child.exitCode, stdout, ms: Date.now() - t0 });
      },
    );
  });
}

describe('lifecycle', () => {
  it('a process exits by itself after using the workers, with or without dispose()', async () => {
    for (const mode of ['dispose', 'leave']) {
      const r = await runChild(mode);
      expect(r.code, mode).toBe(0);
      expect(r.stdout).toMatch(/^sum -?\d+\.\d{3} threads 2/);
    }
  });

  it.skipIf(!linux)('creating and disposing backends leaves no thread behind (reads Linux /proc; skipped on other systems)', async () => {
    const before = osThreads();
    for (let i = 0; i < 5; i++) {
      const be = createWasmBackend({ threads: 3, parallelMinFlops: 0, blas: 'off' });
      const a = randn([64, 64], { seed: i, backend: be });
      a.matmul(a).dispose();
      a.dispose();
      be.dispose();
    }
    // terminate() is asynchronous: give the threads a moment to be joined
    for (let i = 0; i < 50 && osThreads() > before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(osThreads()).toBeLessThanOrEqual(before);
  });

  it('1,000 training steps through the workers leave buffers, bytes and wasm memory where they started', () => {
    const be = createWasmBackend({ threads: 2, parallelMinFlops: 0, blas: 'off' });
    useBackend(be);
    const w1 = keep(randn([32, 48], { seed: 1, std: 0.3 }).requiresGrad_());
    const w2 = keep(randn([48, 4], { seed: 2, std: 0.3 }).requiresGrad_());
    const x = keep(randn([64, 32], { seed: 3 }));
    const state = [w1, w2].map((w) => [keep(zerosLike(w)), keep(zerosLike(w))] as const);
    const losses: number[] = [];
    const step = (i: number): void =>
      tidy(() => {
        const loss = x.matmul(w1).gelu().matmul(w2).square().mean();
        loss.backward();
        if (i % 100 === 0) losses.push(loss.dataSync()[0]!);
        [w1, w2].forEach((w, j) => {
          adamwStep(w, w.grad!, state[j]![0], state[j]![1], { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: i + 1 });
          w.grad!.dispose();
          w.grad = null;
        });
      });
    // a few warm-up steps let the pools and the GEMM scratch reach their working sizes
    for (let i = 0; i < 10; i++) step(i);
    const start = { ...be.memory(), ...tensorStats(), reserved: be.reservedBytes };
    for (let i = 10; i < 1010; i++) step(i);
    const end = { ...be.memory(), ...tensorStats(), reserved: be.reservedBytes };
    expect(end.buffers).toBe(start.buffers);
    expect(end.bytes).toBe(start.bytes);
    expect(end.tensors).toBe(start.tensors);
    expect(end.reserved).toBe(start.reserved);
    // and it trained: the loss (driving the outputs to 0) fell
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.1);
    be.dispose();
  });

  it('training with every reused buffer poisoned (NaN) gives the same bits: no kernel reads an output before writing it', () => {
    const train = (poisonReusedMemory: boolean): number[] => {
      const be = createWasmBackend({ threads: 2, parallelMinFlops: 0, parallelMinElements: 0, blas: 'off', poisonReusedMemory });
      useBackend(be);
      const w1 = keep(randn([32, 48], { seed: 1, std: 0.3 }).requiresGrad_());
      const w2 = keep(randn([48, 4], { seed: 2, std: 0.3 }).requiresGrad_());
      const x = keep(randn([64, 32], { seed: 3 }));
      const state = [w1, w2].map((w) => [keep(zerosLike(w)), keep(zerosLike(w))] as const);
      const out: number[] = [];
      for (let i = 0; i < 40; i++) {
        tidy(() => {
          const h = softmax(dropout(x.matmul(w1).gelu(), 0.1, { seed: i }), -1);
          const loss = h.matmul(w2).square().mean();
          loss.backward();
          out.push(loss.dataSync()[0]!);
          [w1, w2].forEach((w, j) => {
            adamwStep(w, w.grad!, state[j]![0], state[j]![1], { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: i + 1 });
            w.grad!.dispose();
            w.grad = null;
          });
        });
      }
      out.push(...w1.dataSync(), ...w2.dataSync());
      be.dispose();
      return out;
    };
    const clean = train(false);
    expect(clean.every(Number.isFinite)).toBe(true);
    expect(train(true)).toEqual(clean);
  });

  it('buffers stay valid while the wasm memory grows past its initial size', () => {
    const be = new WasmBackend();
    const first = be.alloc(16);
    be.write(first, Float32Array.from([1, 2, 3, 4]));
    const big = be.alloc(64 << 20); // forces memory.grow
    be.write(big, Float32Array.from([5]), (64 << 20) - 4);
    expect(Array.from(new Float32Array(be.readSync(first, 0, 16).buffer))).toEqual([1, 2, 3, 4]);
    expect(new Float32Array(be.readSync(big, (64 << 20) - 4, 4).buffer)[0]).toBe(5);
    be.free(big);
    be.free(first);
    expect(be.memory()).toMatchObject({ buffers: 0, bytes: 0 });
    expect(be.memory().pooledBytes).toBeGreaterThanOrEqual((64 << 20) + 16);
    be.dispose();
  });

  it('errors say what was expected: bad thread counts, use after dispose, out of memory', () => {
    expect(() => new WasmBackend({ threads: 0 })).toThrow(/threads must be an integer in \[1, 64\], got 0/);
    const small = new WasmBackend({ maxMemoryBytes: 32 << 20 });
    expect(() => small.alloc(31 << 20)).toThrow(WasmBackendError);
    expect(() => small.alloc(31 << 20)).toThrow(/out of memory: asked for 32505856 bytes .* limited to 33554432 bytes/);
    // marked, so that fit can split the batch and try again (BackendError.outOfMemory)
    expect(() => small.alloc(31 << 20)).toThrow(expect.objectContaining({ outOfMemory: true }));
    expect(small.alloc(1 << 20)).toBeDefined(); // a failed alloc leaves the heap usable
    small.dispose();
    expect(() => small.alloc(4)).toThrow(/alloc after dispose/);
  });
});
