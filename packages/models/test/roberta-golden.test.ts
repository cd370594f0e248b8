import { describe, expect, it, beforeAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { CpuBackend, tensor, useBackend, type Tensor } from '@edora/tensor';
import {
  loadWeights, parseRobertaConfig, RobertaForMaskedLM, RobertaForSequenceClassification, RobertaModel,
  safetensorsBytesSource, type RobertaConfig,
} from '../src/index.js';
import { fromPretrained } from '../src/node.js';
import { elementwiseRelativeError, fixture, FIXTURE_DIR, readGolden, relativeError, type Golden } from './helpers.js';

// Forward numerics against the float64 PyTorch reference (scripts/make-roberta-golden.py): a
// padded batch of 3 sequences (9, 5 and 2 tokens), hidden states of every layer, the three heads
// and their losses. The tolerance is the 1e-5 relative; float32 lands near 1e-6.
const TOL = 1e-5;

let golden: Map<string, Golden>;
let config: RobertaConfig;
const g = (name: string): Golden => {
  const v = golden.get(name);
  if (!v) throw new Error(`golden.safetensors has no ${name}`);
  return v;
};
const inputs = (): { inputIds: Tensor; attentionMask: Tensor } => ({
  inputIds: tensor(g('input_ids').data as Int32Array, g('input_ids').shape),
  attentionMask: tensor(g('attention_mask').data as Int32Array, g('attention_mask').shape),
});

async function loadHead(model: RobertaForSequenceClassification, file: string): Promise<void> {
  const head = model.namedParameters().filter(([n]) => n.startsWith('classifier.'));
  const report = await loadWeights(head, safetensorsBytesSource(await readFile(fixture(file)), file));
  expect(report.loaded.sort()).toEqual(head.map(([n]) => n).sort());
}

function expectClose(actual: Tensor, name: string): void {
  const ref = g(name);
  expect(actual.shape).toEqual(ref.shape);
  const err = relativeError(actual.dataSync(), ref.data);
  expect(err, `${name}: max error relative to scale`).toBeLessThan(TOL);
  // Elementwise too, with a floor at 1% of the scale so near-zero entries do not dominate.
  let scale = 0;
  for (const v of ref.data) scale = Math.max(scale, Math.abs(v));
  expect(elementwiseRelativeError(actual.dataSync(), ref.data, 0.01 * scale), `${name}: elementwise`).toBeLessThan(100 * TOL);
}

beforeAll(async () => {
  useBackend(new CpuBackend());
  golden = await readGolden();
  config = parseRobertaConfig(await readFile(fixture('config.json'), 'utf8'));
});

describe('RoBERTa forward against the PyTorch float64 reference', () => {
  it('hidden states after the embeddings and after every layer (bare RobertaModel, roberta.* keys)', async () => {
    const { model, report } = await fromPretrained(FIXTURE_DIR, { task: 'encoder' });
    expect(model).toBeInstanceOf(RobertaModel);
    expect(report.missing).toEqual([]);
    expect(report.ignored.sort()).toEqual(['lm_head.bias', 'lm_head.dense.bias', 'lm_head.dense.weight', 'lm_head.layer_norm.bias', 'lm_head.layer_norm.weight']);
    const out = model.forward(inputs(), { outputHiddenStates: true });
    expect(out.hiddenStates).toHaveLength(config.numHiddenLayers + 1);
    out.hiddenStates!.forEach((h, i) => expectClose(h, `hidden_states.${i}`));
    expect(out.lastHiddenState).toBe(out.hiddenStates![config.numHiddenLayers]);
  });

  it('classification logits (3 labels) and cross-entropy loss', async () => {
    const { model, report } = await fromPretrained(FIXTURE_DIR, { numLabels: 3 });
    expect(report.newlyInitialized.sort()).toEqual(['classifier.dense.bias', 'classifier.dense.weight', 'classifier.out_proj.bias', 'classifier.out_proj.weight']);
    await loadHead(model, 'head-3.safetensors');
    const logits = model.forward(inputs());
    expectClose(logits, 'logits3');
    const loss = model.loss(logits, tensor(g('labels3').data as Int32Array, [3]));
    expect(Math.abs(loss.dataSync()[0]! - g('loss3').data[0]!)).toBeLessThan(TOL * Math.abs(g('loss3').data[0]!));
  });

  it('regression logits (1 label) and MSE loss', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { numLabels: 1 });
    await loadHead(model, 'head-1.safetensors');
    const logits = model.forward(inputs());
    expectClose(logits, 'logits1');
    const loss = model.loss(logits, tensor(Float32Array.from(g('labels1').data), [3]));
    expect(Math.abs(loss.dataSync()[0]! - g('loss1').data[0]!)).toBeLessThan(TOL * Math.abs(g('loss1').data[0]!));
  });

  it('masked-LM logits through the tied decoder, and the loss over labelled positions only', async () => {
    const { model, report } = await fromPretrained(FIXTURE_DIR, { task: 'masked-lm' });
    expect(model).toBeInstanceOf(RobertaForMaskedLM);
    expect(report.ignored).toEqual([]);
    expect(report.newlyInitialized).toEqual([]);
    const logits = model.forward(inputs());
    expectClose(logits, 'mlm_logits');
    const loss = model.loss(logits, tensor(g('mlm_labels').data as Int32Array, g('mlm_labels').shape));
    expect(Math.abs(loss.dataSync()[0]! - g('mlm_loss').data[0]!)).toBeLessThan(TOL * Math.abs(g('mlm_loss').data[0]!));
  });

  it('pad positions do not change the real tokens: a sequence alone equals its padded row', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { task: 'encoder' });
    const ids = g('input_ids');
    const T = ids.shape[1]!;
    const row = Array.from((ids.data as Int32Array).subarray(T, 2 * T)).filter((_, t) => (g('attention_mask').data as Int32Array)[T + t] === 1);
    const alone = model.forward({ inputIds: tensor(Int32Array.from(row), [1, row.length]) }).lastHiddenState.dataSync();
    const padded = model.forward(inputs()).lastHiddenState.dataSync();
    const H = config.hiddenSize;
    const paddedRow = padded.subarray(T * H, T * H + row.length * H);
    expect(relativeError(alone, paddedRow)).toBeLessThan(TOL);
  });
});
