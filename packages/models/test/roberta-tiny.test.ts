import { describe, expect, it, beforeAll } from 'vitest';
import { adamwStep, CpuBackend, manualSeed, tensor, tensorStats, tidy, useBackend, zerosLike, type Tensor } from '@edora/tensor';
import { Linear } from '@edora/layers';
import { readSafetensorsFile } from '@edora/tensor/node';
import { byteLevelTokenizer, RobertaForMaskedLM, RobertaForSequenceClassification, robertaPreset } from '../src/index.js';
import { fixture } from './helpers.js';

beforeAll(() => {
  useBackend(new CpuBackend());
});

function batch(seed: number, B: number, T: number, vocab: number): { inputIds: Tensor; attentionMask: Tensor; labels: Tensor } {
  // A small deterministic generator (the test's data, not the model's RNG).
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
  const ids = new Int32Array(B * T).fill(1);
  const mask = new Int32Array(B * T);
  const labels = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const n = 4 + Math.floor(next() * (T - 4));
    labels[b] = b % 2;
    ids[b * T] = 0;
    for (let t = 1; t < n - 1; t++) ids[b * T + t] = 5 + Math.floor(next() * (vocab - 6));
    // Class 1 sequences contain token 4 somewhere: the model must find it by attention.
    if (labels[b] === 1) ids[b * T + 1 + Math.floor(next() * (n - 2))] = 4;
    else for (let t = 1; t < n - 1; t++) if (ids[b * T + t] === 4) ids[b * T + t] = 5;
    ids[b * T + n - 1] = 2;
    for (let t = 0; t < n; t++) mask[b * T + t] = 1;
  }
  return { inputIds: tensor(ids, [B, T]), attentionMask: tensor(mask, [B, T]), labels: tensor(labels, [B]) };
}

describe('RoBERTa modules', () => {
  it('module and parameter paths are HF\'s, so adapters find `roberta.encoder.layer.N.attention.self.query`', async () => {
    const model = new RobertaForMaskedLM(robertaPreset('tiny', { vocabSize: 320, hiddenSize: 32, intermediateSize: 64, maxPositionEmbeddings: 64 }), { seed: 0 });
    expect(model.getSubmodule('roberta.encoder.layer.1.attention.self.query')).toBeInstanceOf(Linear);
    const paths = model.namedModules().map(([p]) => p);
    for (const suffix of ['attention.self.value', 'attention.output.dense', 'intermediate.dense', 'output.dense']) {
      expect(paths.filter((p) => p.endsWith(`.${suffix}`)).length).toBeGreaterThanOrEqual(2);
    }
    const hf = await readSafetensorsFile(fixture('model.safetensors'));
    expect(model.namedParameters().map(([n]) => n).sort()).toEqual([...hf.keys()].sort());
  });

  it('dropout acts in training mode only, reproducibly under manualSeed', () => {
    const model = new RobertaForSequenceClassification(robertaPreset('tiny'), { seed: 4 });
    const x = batch(1, 4, 12, 260);
    const run = (): Float32Array => tidy(() => model.forward(x)).dataSync() as Float32Array;
    model.train();
    manualSeed(7);
    const a = run();
    manualSeed(7);
    const b = run();
    const c = run();
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
    model.eval();
    const e1 = run();
    expect(run()).toEqual(e1);
    expect(e1).not.toEqual(a);
  });

  it('a forward and backward step leaves no tensors behind once the loss and grads are disposed', () => {
    const model = new RobertaForSequenceClassification(robertaPreset('tiny'), { seed: 5 });
    const x = batch(2, 4, 10, 260);
    const step = (): void => {
      const loss = tidy(() => model.loss(model.forward(x), x.labels));
      loss.backward();
      loss.dispose();
      for (const p of model.parameters()) {
        p.grad?.dispose();
        p.grad = null;
      }
    };
    step();
    const before = tensorStats();
    for (let i = 0; i < 3; i++) step();
    expect(tensorStats()).toEqual(before);
  });
});

describe('the tiny preset', () => {
  it('runs on text through the byte-level tokenizer, no files needed', () => {
    const tok = byteLevelTokenizer();
    const enc = tok.encodeBatch(['héllo wörld', ['a premise', 'and a hypothesis']]);
    const model = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 3 }), { seed: 2 }).eval();
    const logits = model.forward({ inputIds: tensor(enc.inputIds, enc.shape), attentionMask: tensor(enc.attentionMask, enc.shape) });
    expect(logits.shape).toEqual([2, 3]);
    expect([...logits.dataSync()].every(Number.isFinite)).toBe(true);
    // Padding does not leak into the shorter row: it alone gives the same logits.
    const alone = tok.encodeBatch(['héllo wörld']);
    const single = model.forward({ inputIds: tensor(alone.inputIds, alone.shape) }).dataSync();
    const padded = logits.dataSync().subarray(0, 3);
    for (let i = 0; i < 3; i++) expect(Math.abs(single[i]! - padded[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(single[i]!)));
  });

  it('trains on a CPU in seconds: a token-detection task goes from chance to low loss, also on unseen data', () => {
    // 30 AdamW steps of 16 fresh sequences each: a few seconds on one core.
    const STEPS = 30;
    manualSeed(11);
    const model = new RobertaForSequenceClassification(robertaPreset('tiny'), { seed: 11 }).train();
    const params = model.parameters();
    const m = params.map((p) => zerosLike(p));
    const v = params.map((p) => zerosLike(p));
    const data = [0, 1, 2, 3].map((i) => batch(100 + i, 16, 16, 260));
    const lossAt = (x: (typeof data)[number]): number => tidy(() => model.loss(model.forward(x), x.labels)).dataSync()[0]!;
    model.eval();
    const initial = data.reduce((a, x) => a + lossAt(x), 0) / data.length;
    model.train();
    for (let step = 1; step <= STEPS; step++) {
      const x = batch(step, 16, 16, 260);
      const loss = tidy(() => model.loss(model.forward(x), x.labels));
      loss.backward();
      loss.dispose();
      params.forEach((p, i) => {
        adamwStep(p, p.grad!, m[i]!, v[i]!, { lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step });
        p.grad!.dispose();
        p.grad = null;
      });
    }
    model.eval();
    const final = data.reduce((a, x) => a + lossAt(x), 0) / data.length;
    // Not memorized: a batch never trained on is classified too.
    const heldOut = lossAt(batch(999, 32, 16, 260));
    expect(initial).toBeGreaterThan(0.5);
    expect(final).toBeLessThan(0.2);
    expect(heldOut).toBeLessThan(0.35);
  });
});
