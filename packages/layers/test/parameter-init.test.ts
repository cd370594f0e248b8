import { describe, expect, it, vi } from 'vitest';
import { ArgumentError, CpuBackend, getRngState, type Tensor } from '@edora/tensor';
import { Embedding, LayerNorm, Linear, type Module } from '../src/index.js';

// `init: 'none'` is for parameters that are about to be written (a checkpoint load): the layer
// draws no random numbers and allocates each parameter once, zero-filled, with nothing else.

const bytes = (m: Module): number => m.parameters().reduce((n, p: Tensor) => n + p.size * 4, 0);

describe("layers built with init: 'none'", () => {
  it('draw nothing, hold zeros, stay trainable, and allocate exactly their parameters', () => {
    const backend = new CpuBackend();
    const run = vi.spyOn(backend, 'run');
    const rng = getRngState();
    const layers: Module[] = [
      new Linear(24, 16, { init: 'none', backend }),
      new Linear(24, 16, { init: 'none', bias: false, backend }),
      new Embedding(50, 8, { init: 'none', paddingIdx: 1, backend }),
      new LayerNorm(16, { init: 'none', backend }),
    ];
    expect(run.mock.calls.filter(([op]) => op === 'random')).toEqual([]);
    expect(getRngState()).toEqual(rng);
    const total = layers.reduce((n, m) => n + bytes(m), 0);
    expect(total).toBe(4 * (24 * 16 + 16 + 24 * 16 + 50 * 8 + 2 * 16));
    expect(backend.memory().bytes).toBe(total);
    expect(backend.memory().peakBytes).toBe(total);
    for (const m of layers) {
      for (const [name, p] of m.namedParameters()) {
        expect(p.requiresGrad, name).toBe(true);
        expect([...p.dataSync()].every((v) => v === 0), name).toBe(true);
      }
    }
    expect(layers.map((m) => m.namedParameters().map(([k, p]) => `${k} [${p.shape.join(', ')}]`))).toEqual([
      ['weight [16, 24]', 'bias [16]'],
      ['weight [16, 24]'],
      ['weight [50, 8]'],
      ['weight [16]', 'bias [16]'],
    ]);
  });

  it("the default init draws (so the test above can tell the two apart)", () => {
    const backend = new CpuBackend();
    const run = vi.spyOn(backend, 'run');
    new Linear(24, 16, { backend });
    new Embedding(50, 8, { backend });
    expect(run.mock.calls.filter(([op]) => op === 'random')).toHaveLength(3);
  });

  it('an unknown init is an ArgumentError listing the choices', () => {
    const bad = { init: 'zeros' } as unknown as { init: 'none' };
    for (const make of [() => new Linear(2, 2, bad), () => new Embedding(4, 2, bad), () => new LayerNorm(2, bad)]) {
      expect(make).toThrow(ArgumentError);
      expect(make).toThrow(/init must be one of 'default', 'none', got "zeros"/);
    }
  });
});
