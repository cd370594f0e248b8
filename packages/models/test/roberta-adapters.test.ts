import { describe, expect, it, beforeAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { CpuBackend, tensor, useBackend, type Tensor } from '@edora/tensor';
import { applyAdapters, mergeAndUnload } from '@edora/layers';
import { loadWeights, safetensorsBytesSource, type RobertaForSequenceClassification } from '../src/index.js';
import { fromPretrained } from '../src/node.js';
import { fixture, FIXTURE_DIR, readGolden, relativeError, type Golden } from './helpers.js';

// Adapters from @edora/layers inject into RoBERTa by HF module path (PEFT's suffix matching), which
// only works because our module tree is HF's. The EDoRA setup's targets:
const TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];

let golden: Map<string, Golden>;
const inputs = (): { inputIds: Tensor; attentionMask: Tensor } => ({
  inputIds: tensor(golden.get('input_ids')!.data as Int32Array, golden.get('input_ids')!.shape),
  attentionMask: tensor(golden.get('attention_mask')!.data as Int32Array, golden.get('attention_mask')!.shape),
});

async function classifier(): Promise<RobertaForSequenceClassification> {
  const { model } = await fromPretrained(FIXTURE_DIR, { numLabels: 3 });
  const head = model.namedParameters().filter(([n]) => n.startsWith('classifier.'));
  await loadWeights(head, safetensorsBytesSource(await readFile(fixture('head-3.safetensors'))));
  return model;
}

beforeAll(async () => {
  useBackend(new CpuBackend());
  golden = await readGolden();
});

describe('adapters on RoBERTa', () => {
  it('LoRA targets 4 Linear layers per encoder layer; at init (B = 0) the logits are the reference ones', async () => {
    const model = await classifier();
    const report = await applyAdapters(model, { method: 'lora', r: 4, alpha: 8, targetModules: TARGETS, modulesToSave: ['classifier'], seed: 1 });
    // attention.output.dense matches two suffixes and is adapted once.
    const expected = [0, 1].flatMap((i) =>
      ['attention.self.query', 'attention.self.value', 'attention.output.dense', 'output.dense'].map((s) => `roberta.encoder.layer.${i}.${s}`),
    );
    expect(report.modules.map((m) => m.path).sort()).toEqual(expected.sort());
    expect(relativeError(model.forward(inputs()).dataSync(), golden.get('logits3')!.data)).toBeLessThan(1e-5);
  });

  it('EDoRA: only R, m and the head train; merging gives the same logits', async () => {
    const model = await classifier();
    const r = 4;
    const report = await applyAdapters(model, { method: 'edora', r, alpha: 8, targetModules: TARGETS, modulesToSave: ['classifier'], seed: 2 });
    // 8 modules × (r² + out) + the head (32·32 + 32 + 3·32 + 3).
    expect(report.trainable).toBe(8 * (r * r + 32) + (32 * 32 + 32 + 3 * 32 + 3));
    model.train(false);
    const logits = model.forward(inputs());
    const loss = model.loss(logits, tensor(golden.get('labels3')!.data as Int32Array, [3]));
    loss.backward();
    for (const [name, p] of model.namedParameters()) {
      if (p.requiresGrad) expect(p.grad, name).toBeTruthy();
      else expect(p.grad, name).toBeNull();
    }
    expect(model.getParameter('roberta.encoder.layer.0.attention.self.query.base_layer.weight').requiresGrad).toBe(false);
    const before = logits.dataSync().slice();
    const merged = mergeAndUnload(model);
    expect(relativeError(merged.forward(inputs()).dataSync(), before)).toBeLessThan(1e-5);
  });
});
