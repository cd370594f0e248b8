import { describe, expect, it } from 'vitest';
import {
  BackendError, CpuBackend, adamwStep, add, backendStats, crossEntropy, embedding, matmul, randn, softmax, tensor, tidy,
  type BackendBuffer, type Tensor, type TensorView,
} from '@edora/tensor';
import { MemoryLedger, isDense, runOnHost } from '@edora/tensor/backend-kit';
import { HostOnlyBackend } from './host-only-backend.js';

const values = (t: Tensor): number[] => Array.from(t.dataSync());

describe('MemoryLedger', () => {
  it('counts requested bytes, forgets a buffer once, keeps the peak until resetPeak', () => {
    const ledger = new MemoryLedger();
    const a: BackendBuffer = { byteLength: 100 };
    const b: BackendBuffer = { byteLength: 28 };
    ledger.add(a);
    ledger.add(b);
    expect(ledger.memory()).toEqual({ buffers: 2, bytes: 128, peakBytes: 128 });
    expect(ledger.remove(a)).toBe(true);
    expect(ledger.remove(a)).toBe(false); // a double free changes nothing
    expect(ledger.remove({ byteLength: 5 })).toBe(false);
    expect(ledger.memory(64)).toEqual({ buffers: 1, bytes: 28, peakBytes: 128, pooledBytes: 64 });
    ledger.resetPeak();
    expect(ledger.memory().peakBytes).toBe(28);
    ledger.clear();
    expect(ledger.memory()).toEqual({ buffers: 0, bytes: 0, peakBytes: 28 });
  });
});

describe('host fallback', () => {
  it('writes only a strided output\'s elements, leaving the bytes between them as they were', () => {
    const be = new HostOnlyBackend('host-gaps');
    const base = tensor(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), [3, 4], { backend: be });
    const region = base.slice(1, 1, 3).transpose(); // [2, 3] view of columns 1..2
    runOnHost(be, 'fill', [], [region], { value: -1 });
    expect(values(base)).toEqual([1, -1, -1, 4, 5, -1, -1, 8, 9, -1, -1, 12]);
    expect(be.bytesRead).toBeGreaterThan(0);
    expect(be.bytesWritten).toBeGreaterThan(48); // the tensor's upload plus the written-back span
  });

  it('keeps in-place aliasing: adamw updates param, m and v as the cpu backend does', () => {
    const cpu = new CpuBackend('adamw-cpu');
    const be = new HostOnlyBackend('adamw-host');
    const attrs = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 3 };
    const run = (backend: CpuBackend | HostOnlyBackend): number[][] => {
      const p = randn([5, 3], { seed: 1, backend });
      const g = randn([5, 3], { seed: 2, backend });
      const m = randn([5, 3], { seed: 3, backend });
      const v = randn([5, 3], { seed: 4, backend }).abs();
      adamwStep(p, g, m, v, attrs);
      return [values(p), values(m), values(v)];
    };
    expect(run(be)).toEqual(run(cpu));
  });

  it('is what the core runs for ops a backend rejects (no DTypeError), counted per op in backendStats', () => {
    const cpu = new CpuBackend('routing-cpu');
    // claims nothing: every tier-0 op must reach the host fallback through the core, every tier-1 op a composite
    const be = new HostOnlyBackend('routing-host', () => false);
    const run = (backend: CpuBackend | HostOnlyBackend): number[][] => {
      const x = randn([4, 6], { seed: 5, backend }).requiresGrad_();
      const w = randn([6, 3], { seed: 6, backend });
      const table = randn([7, 6], { seed: 7, backend }).requiresGrad_();
      const ids = tensor(Int32Array.from([1, 3, 1, 6]), [4], { backend, dtype: 'int32' });
      const h = add(matmul(x, w), matmul(embedding(table, ids), w));
      const loss = crossEntropy(h, tensor(Int32Array.from([0, 2, 1, 2]), [4], { backend, dtype: 'int32' }));
      loss.backward();
      return [values(loss), values(x.grad!), values(table.grad!), values(softmax(h.transpose()))];
    };
    const want = run(cpu);
    const got = run(be);
    got.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 6)));
    const { fallbacks } = backendStats(be);
    expect(fallbacks.host.matmul).toBeGreaterThanOrEqual(2);
    expect(fallbacks.host.gatherRows).toBe(1);
    expect(fallbacks.host.scatterAddRows).toBe(1);
    expect(fallbacks.composite.softmaxCrossEntropy).toBe(1);
    expect(fallbacks.composite.softmax).toBe(1);
    expect(backendStats(cpu).fallbacks).toEqual({ host: {}, composite: {} });
  });

  it('an asynchronous backend without readSync gets a BackendError naming the op', () => {
    const be = new HostOnlyBackend('host-async');
    const noSync = Object.assign(Object.create(be) as HostOnlyBackend, { readSync: undefined });
    const o = tensor([0, 0], [2], { backend: be });
    expect(() => runOnHost(noSync, 'fill', [], [o], { value: 1 })).toThrow(BackendError);
    expect(() => runOnHost(noSync, 'fill', [], [o], { value: 1 })).toThrow(/fill: backend "host-async" has no kernel/);
  });
});

describe('composite fallbacks', () => {
  it('free every temporary (they run inside tidy): memory returns to where it was', () => {
    const be = new HostOnlyBackend('composite-leaks', (op) => op === 'fill' || op === 'copy');
    const x = randn([3, 5], { seed: 9, backend: be });
    const before = be.memory();
    const y = softmax(x);
    expect(be.memory().buffers).toBe(before.buffers + 1);
    y.dispose();
    expect(be.memory()).toMatchObject({ buffers: before.buffers, bytes: before.bytes });
  });
});

describe('dense-only backends', () => {
  /** A cpu backend that declares denseOnly and fails any non-copy op handed a strided view. */
  class DenseOnlyCpu extends CpuBackend {
    override readonly capabilities = { ...new CpuBackend().capabilities, denseOnly: true };
    strided = 0;
    override run(...args: Parameters<CpuBackend['run']>): void {
      const [op, inputs, outputs] = args;
      if (op !== 'copy' && ![...inputs, ...outputs].every((v: TensorView) => isDense(v))) this.strided++;
      super.run(...args);
    }
  }

  it('receive dense views for every op but copy, with the same results as the cpu backend', () => {
    const cpu = new CpuBackend('dense-ref');
    const be = new DenseOnlyCpu('dense-only');
    const run = (backend: CpuBackend): number[][] => tidy(() => {
      const a = randn([5, 4], { seed: 11, backend }).requiresGrad_();
      const b = randn([5, 3], { seed: 12, backend });
      const bias = randn([3], { seed: 13, backend });
      // a transposed operand, a broadcast operand, a strided (sliced) operand
      const y = add(matmul(a.transpose(), b), bias).slice(1, 0, 2).exp();
      y.sum().backward();
      return [values(y), values(a.grad!)];
    });
    const want = run(cpu);
    const got = run(be);
    got.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(want[i]![j]!, 6)));
    expect(be.strided).toBe(0);
  });
});
