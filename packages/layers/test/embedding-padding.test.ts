import { describe, expect, it } from 'vitest';
import { ArgumentError, embedding, mul, square, sum, tensor } from '@edora/tensor';
import { Embedding } from '../src/index.js';

// torch.nn.Embedding(padding_idx=p): the forward reads row p like any other row, but its gradient
// is zero, so training never moves it. The reference gradient is computed by hand on the host in
// float64: for L = Σ c ⊙ out², dL/dW[v] = Σ over positions holding id v of 2 · c[pos] ⊙ W[v],
// and 0 for v = p.

const V = 6;
const D = 3;
const PAD = 1;
// Repeated ids, the padding id among them three times (and at both ends of a row).
const IDS = [1, 2, 4, 2, 1, 1, 5, 2];
const SHAPE = [2, 4];
const table = Float64Array.from({ length: V * D }, (_, i) => Math.sin(1 + i) * 0.7);
const coeff = Float64Array.from({ length: IDS.length * D }, (_, i) => Math.cos(3 + 2 * i));

/** dL/dW by hand, in float64. */
function referenceGrad(paddingIdx: number | undefined): Float64Array {
  const g = new Float64Array(V * D);
  IDS.forEach((v, pos) => {
    if (v === paddingIdx) return;
    for (let d = 0; d < D; d++) g[v * D + d]! += 2 * coeff[pos * D + d]! * table[v * D + d]!;
  });
  return g;
}

function gradThroughLayer(paddingIdx: number | undefined): { out: Float64Array; grad: Float64Array } {
  const emb = new Embedding(V, D, { paddingIdx, dtype: 'float64' });
  emb.loadStateDict({ weight: tensor(table, [V, D], { dtype: 'float64' }) });
  const out = emb.forward(tensor(Int32Array.from(IDS), SHAPE));
  const loss = sum(mul(square(out), tensor(coeff, [...SHAPE, D], { dtype: 'float64' })));
  loss.backward();
  return { out: out.dataSync() as Float64Array, grad: emb.weight.grad!.dataSync() as Float64Array };
}

describe('Embedding padding_idx, as torch', () => {
  it('the padding row gets exactly zero gradient; every other row the hand-computed sum over its repeats', () => {
    const { out, grad } = gradThroughLayer(PAD);
    const expected = referenceGrad(PAD);
    for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(expected[i]!, 12);
    expect([...grad.slice(PAD * D, PAD * D + D)]).toEqual([0, 0, 0]);
    // rows looked up twice or three times accumulate (id 2 appears three times)
    expect(grad[2 * D]).not.toBe(0);
    // the forward still reads the (non-zero) padding row: only its gradient is dropped
    expect([...out.slice(0, D)]).toEqual([...table.slice(PAD * D, PAD * D + D)]);
  });

  it('without paddingIdx the same row accumulates its three lookups (the option is what zeroes it)', () => {
    const { grad } = gradThroughLayer(undefined);
    const expected = referenceGrad(undefined);
    for (let i = 0; i < grad.length; i++) expect(grad[i]).toBeCloseTo(expected[i]!, 12);
    expect(Math.abs(grad[PAD * D]!)).toBeGreaterThan(0.1);
  });

  it('the core op checks paddingIdx against the table', () => {
    const w = tensor(table, [V, D], { dtype: 'float64' });
    const ids = tensor(Int32Array.from(IDS), SHAPE);
    expect(() => embedding(w, ids, { paddingIdx: V })).toThrow(ArgumentError);
    expect(() => embedding(w, ids, { paddingIdx: -1 })).toThrow(/paddingIdx must be an integer in \[0, 6\) for a table \[6, 3\], got -1/);
  });
});
