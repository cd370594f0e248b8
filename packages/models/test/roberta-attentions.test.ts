import { beforeAll, describe, expect, it } from 'vitest';
import { CpuBackend, tensor, useBackend } from '@edora/tensor';
import { readSafetensorsFile } from '@edora/tensor/node';
import { RobertaForSequenceClassification, RobertaModel } from '../src/index.js';
import { fromPretrained } from '../src/node.js';
import { fixture, FIXTURE_DIR, readGolden, relativeError, type Golden } from './helpers.js';

// HF's output_attentions: each layer's softmax(q·kᵀ/√d + mask), [batch, heads, seq, seq]. The
// reference recomputes it in float64 from the fixture's weights and PyTorch's float64 hidden
// states (scripts/make-roberta-golden.py) entering each layer, so it shares nothing with src/.
let golden: Map<string, Golden>;
let weights: Map<string, { data: ArrayLike<number>; shape: number[] }>;
const H = 32;
const heads = 4;
const d = H / heads;

/** x [T, H] row-major (one batch row) → x·Wᵀ + b in float64. */
function project(x: Float64Array, T: number, name: string): Float64Array {
  const W = weights.get(`${name}.weight`)!.data;
  const b = weights.get(`${name}.bias`)!.data;
  const y = new Float64Array(T * H);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < H; o++) {
      let s = b[o]!;
      for (let i = 0; i < H; i++) s += x[t * H + i]! * W[o * H + i]!;
      y[t * H + o] = s;
    }
  }
  return y;
}

/** Layer `l`'s attention probabilities [B, heads, T, T] in float64, from the hidden states entering it. */
function referenceProbs(l: number): Float64Array {
  const hidden = golden.get(`hidden_states.${l}`)!;
  const mask = golden.get('attention_mask')!.data;
  const [B, T] = hidden.shape as [number, number];
  const out = new Float64Array(B * heads * T * T);
  const self = `roberta.encoder.layer.${l}.attention.self`;
  for (let b = 0; b < B; b++) {
    const x = Float64Array.from(hidden.data.subarray(b * T * H, (b + 1) * T * H));
    const q = project(x, T, `${self}.query`);
    const k = project(x, T, `${self}.key`);
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < T; i++) {
        const scores = new Float64Array(T);
        for (let j = 0; j < T; j++) {
          let s = 0;
          for (let c = 0; c < d; c++) s += q[i * H + h * d + c]! * k[j * H + h * d + c]!;
          scores[j] = mask[b * T + j] === 1 ? s / Math.sqrt(d) : -Infinity;
        }
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, v) => a + v, 0);
        for (let j = 0; j < T; j++) out[((b * heads + h) * T + i) * T + j] = e[j]! / sum;
      }
    }
  }
  return out;
}

const inputs = () => ({
  inputIds: tensor(golden.get('input_ids')!.data as Int32Array, golden.get('input_ids')!.shape),
  attentionMask: tensor(golden.get('attention_mask')!.data as Int32Array, golden.get('attention_mask')!.shape),
});

beforeAll(async () => {
  useBackend(new CpuBackend());
  golden = await readGolden();
  const file = await readSafetensorsFile(fixture('model.safetensors'));
  weights = new Map([...file].map(([k, v]) => [k, { data: v.data, shape: v.shape }]));
});

describe('attention probabilities (HF output_attentions)', () => {
  it('RobertaModel: one [batch, heads, seq, seq] tensor per layer, equal to a float64 recomputation', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { task: 'encoder' });
    const out = (model as RobertaModel).forward(inputs(), { outputAttentions: true });
    expect(out.hiddenStates).toBeUndefined();
    expect(out.attentions).toHaveLength(2);
    const mask = golden.get('attention_mask')!.data;
    out.attentions!.forEach((a, l) => {
      expect(a.shape).toEqual([3, heads, 9, 9]);
      const probs = a.dataSync();
      expect(relativeError(probs, referenceProbs(l)), `layer ${l}`).toBeLessThan(1e-5);
      // rows sum to 1; padded keys get exactly 0
      for (let row = 0; row < 3 * heads * 9; row++) {
        let s = 0;
        for (let j = 0; j < 9; j++) s += probs[row * 9 + j]!;
        expect(Math.abs(s - 1)).toBeLessThan(1e-6);
        const b = Math.floor(row / (heads * 9));
        for (let j = 0; j < 9; j++) if (mask[b * 9 + j] === 0) expect(probs[row * 9 + j]).toBe(0);
      }
    });
    // without the option there are none, and the hidden state is the same
    const plain = (model as RobertaModel).forward(inputs());
    expect(plain.attentions).toBeUndefined();
    expect(relativeError(plain.lastHiddenState.dataSync(), out.lastHiddenState.dataSync())).toBe(0);
  });

  it('RobertaForSequenceClassification.forwardWithOutputs: the same logits, with attentions and hidden states', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { numLabels: 3 });
    const cls = model as RobertaForSequenceClassification;
    const out = cls.forwardWithOutputs(inputs(), { outputAttentions: true, outputHiddenStates: true });
    expect(relativeError(out.logits.dataSync(), cls.forward(inputs()).dataSync())).toBe(0);
    expect(out.hiddenStates).toHaveLength(3);
    expect(relativeError(out.attentions![1]!.dataSync(), referenceProbs(1))).toBeLessThan(1e-5);
  });
});
