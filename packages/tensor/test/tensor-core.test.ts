import { describe, expect, it } from 'vitest';
import { countingBackend } from './counting-backend.js';
import {
  AutogradError, CpuBackend, DisposedError, ShapeError, add, arange, concat, crossEntropy, getBackend, matmul, noGrad,
  ones, randn, registerBackend, setBackend, tensor, tensorStats, tidy, zeros, useBackend, registeredBackends, keep,
  manualSeed, getRngState, setRngState, dropout, assign,
} from '@edora/tensor';

describe('tensor views', () => {
  it('reshape, transpose, slice and expand are free views sharing storage', () => {
    const t = arange(0, 24, 1, { dtype: 'float32' }).reshape([2, 3, 4]);
    const tr = t.transpose(0, 2);
    expect(tr.shape).toEqual([4, 3, 2]);
    expect(tr.storage).toBe(t.storage);
    expect(tr.isContiguous).toBe(false);
    expect(Array.from(tr.slice(0, 1, 2).contiguous().dataSync())).toEqual([1, 13, 5, 17, 9, 21]);
    const e = tensor([1, 2, 3], [3, 1]).expand([3, 4]);
    expect(e.strides).toEqual([1, 0]);
    expect(Array.from(e.dataSync())).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3]);
  });

  it('reshape of a non-contiguous view copies only when the layout requires it', () => {
    const t = arange(0, 12, 1, { dtype: 'float32' }).reshape([3, 4]);
    const tt = t.T; // [4, 3], column-major
    const flat = tt.reshape([12]);
    expect(flat.storage).not.toBe(t.storage);
    expect(Array.from(flat.dataSync())).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    const split = tt.reshape([2, 2, 3]); // splitting the leading dim stays a view
    expect(split.storage).toBe(t.storage);
  });
});

describe('errors', () => {
  it('shape errors name the op and both shapes', () => {
    expect(() => add(zeros([2, 3]), zeros([4, 3]))).toThrow(ShapeError);
    expect(() => add(zeros([2, 3]), zeros([4, 3]))).toThrow(/add: shapes \[2, 3\] and \[4, 3\]/);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/matmul: inner dimensions differ: \[2, 3\] @ \[4, 5\]/);
    expect(() => zeros([2, 3]).reshape([4, 2])).toThrow(/cannot view \[2, 3\] \(6 elements\) as \[4, 2\]/);
    expect(() => crossEntropy(zeros([2, 3]), tensor(Int32Array.from([0, 1, 2]), [3]))).toThrow(/crossEntropy: expected logits \[N, C\] and labels \[N\], got \[2, 3\] and \[3\]/);
  });

  it('using a disposed tensor is a typed error', () => {
    const t = ones([2]);
    t.dispose();
    expect(() => t.add(1)).toThrow(DisposedError);
  });

  it('backward on a non-scalar without a gradient is a typed error', () => {
    const x = ones([3]).requiresGrad_();
    expect(() => x.mul(2).backward()).toThrow(AutogradError);
  });

  it('backward twice without retainGraph says what to do', () => {
    const x = ones([3]).requiresGrad_();
    const y = x.exp().sum();
    y.backward();
    expect(() => y.backward()).toThrow(/retainGraph/);
  });
});

describe('autograd', () => {
  it('accumulates gradients over repeated use and repeated backward calls', () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    x.mul(x).sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([2, 4, 6]);
    x.mul(3).sum().backward();
    expect(Array.from(x.grad!.dataSync())).toEqual([5, 7, 9]);
  });

  it('a frozen operand never gets a gradient product (no dW for frozen weights)', async () => {
    const { backend: counting, ops } = countingBackend();
    const x = randn([4, 8], { seed: 1, backend: counting }).requiresGrad_();
    const w = randn([8, 3], { seed: 2, backend: counting }); // frozen
    const y = x.matmul(w).div(w.sum()).sum();
    ops.length = 0;
    y.backward();
    expect(ops.filter((o) => o === 'matmul')).toHaveLength(1); // dX only
    expect(w.grad).toBeNull();
    expect(x.grad!.shape).toEqual([4, 8]);
  });

  it('noGrad records nothing; detach cuts the graph', () => {
    const x = ones([2]).requiresGrad_();
    expect(noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    expect(x.detach().mul(2).requiresGrad).toBe(false);
  });

  it('backward works after the intermediates were disposed by tidy', () => {
    const w = tensor([0.5, -1]).requiresGrad_();
    const loss = tidy(() => w.mul(w).exp().sum());
    loss.backward();
    const ex = [Math.exp(0.25), Math.exp(1)];
    expect(w.grad!.dataSync()[0]).toBeCloseTo(2 * 0.5 * ex[0]!, 5);
    expect(w.grad!.dataSync()[1]).toBeCloseTo(2 * -1 * ex[1]!, 5);
  });
});

describe('memory', () => {
  it('tidy frees intermediates and keeps what is returned', () => {
    const before = tensorStats();
    const kept = tidy(() => {
      const a = randn([10, 10], { seed: 1 });
      const b = a.matmul(a).relu();
      return b.sum();
    });
    expect(tensorStats().tensors).toBe(before.tensors + 1);
    kept.dispose();
    expect(tensorStats()).toEqual(before);
  });

  it('`using` disposes a tensor at the end of its block', () => {
    const before = tensorStats().tensors;
    {
      using t = ones([4]);
      expect(tensorStats().tensors).toBe(before + 1);
      expect(t.isDisposed).toBe(false);
    }
    expect(tensorStats().tensors).toBe(before);
  });

  it('1,000 forward+backward steps of an MLP leave memory counters where they started', () => {
    const backend = getBackend();
    const w1 = keep(randn([8, 16], { seed: 1, std: 0.3 }).requiresGrad_());
    const w2 = keep(randn([16, 1], { seed: 2, std: 0.3 }).requiresGrad_());
    const x = keep(randn([32, 8], { seed: 3 }));
    const step = (): void =>
      tidy(() => {
        const loss = x.matmul(w1).gelu().matmul(w2).square().mean();
        loss.backward();
        for (const w of [w1, w2]) {
          w.grad!.dispose();
          w.grad = null;
        }
      });
    step();
    const start = { ...backend.memory(), ...tensorStats() };
    for (let i = 0; i < 1000; i++) step();
    const end = { ...backend.memory(), ...tensorStats() };
    expect(end.buffers).toBe(start.buffers);
    expect(end.bytes).toBe(start.bytes);
    expect(end.tensors).toBe(start.tensors);
  });
});

describe('training', () => {
  it('a 2-layer MLP learns XOR-like data with plain SGD: loss falls below 0.05', () => {
    // y = sign(x0 · x1): not linearly separable, so the hidden layer must do the work
    const n = 128;
    const xs = randn([n, 2], { seed: 11 });
    const xd = xs.dataSync();
    const labels = Int32Array.from({ length: n }, (_, i) => (xd[2 * i]! * xd[2 * i + 1]! > 0 ? 1 : 0));
    const y = tensor(labels, [n]);
    const w1 = randn([2, 32], { seed: 1, std: 1 }).requiresGrad_();
    const b1 = zeros([32]).requiresGrad_();
    const w2 = randn([32, 2], { seed: 2, std: 0.3 }).requiresGrad_();
    const b2 = zeros([2]).requiresGrad_();
    const params = [w1, b1, w2, b2];
    let first = 0;
    let last = 0;
    for (let it = 0; it < 1500; it++) {
      const loss = tidy(() => {
        const l = crossEntropy(xs.matmul(w1).add(b1).tanh().matmul(w2).add(b2), y);
        l.backward();
        noGrad(() => {
          for (const p of params) {
            const next = p.sub(p.grad!.mul(0.5));
            assign(p, next); // the sanctioned in-place write
            p.grad!.dispose();
            p.grad = null;
          }
        });
        return l.dataSync()[0]!;
      });
      if (it === 0) first = loss;
      last = loss;
    }
    expect(first).toBeGreaterThan(0.5);
    expect(last).toBeLessThan(0.05);
  });
});

describe('registry', () => {
  it('registers backends by priority and sets one explicitly', async () => {
    const mine = new CpuBackend('cpu-second');
    registerBackend('cpu-second', () => mine, { priority: -5 });
    expect(registeredBackends().map((b) => b.name)).toContain('cpu-second');
    const prev = getBackend();
    await setBackend('cpu-second');
    expect(zeros([2]).backend).toBe(mine);
    useBackend(prev);
    expect(zeros([2]).backend).toBe(prev);
  });

  it('moves tensors between backends explicitly and refuses to mix them', async () => {
    const other = new CpuBackend('other');
    const a = tensor([1, 2, 3]);
    const b = await a.to(other);
    expect(b.backend).toBe(other);
    expect(Array.from(await b.data())).toEqual([1, 2, 3]);
    expect(() => a.add(b)).toThrow(/different backends/);
  });
});

describe('rng', () => {
  it('the default stream advances and can be saved and restored', () => {
    manualSeed(42);
    const s = getRngState();
    const a = dropout(ones([100]), 0.5).dataSync();
    const b = dropout(ones([100]), 0.5).dataSync();
    expect(Array.from(a)).not.toEqual(Array.from(b));
    setRngState(s);
    expect(Array.from(dropout(ones([100]), 0.5).dataSync())).toEqual(Array.from(a));
  });

  it('concat joins along an axis', () => {
    const c = concat([tensor([[1, 2]]), tensor([[3, 4], [5, 6]])], 0);
    expect(c.shape).toEqual([3, 2]);
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
