import { describe, expect, it } from 'vitest';
import { getBackend } from '@edora/tensor';
import { CheckpointError, MissingWeightsError, RobertaForMaskedLM, WeightShapeError, bytesFolder, modelToFiles, pretrainedFromFolder, robertaConfig } from '../src/index.js';
import { robertaParameterShapes } from '../src/checkpoint/parameter-shapes.js';
import { RobertaForSequenceClassification, RobertaModel } from '../src/index.js';

// A config.json is 750 bytes; it must never cost gigabytes (issue 21). Its sizes are checked
// against the checkpoint's header shapes, and the parameters a load would create fresh are
// bounded, before any parameter is allocated.

const CONFIG = { vocabSize: 40, hiddenSize: 8, numHiddenLayers: 2, numAttentionHeads: 2, intermediateSize: 16, maxPositionEmbeddings: 20, typeVocabSize: 1 };

async function mlmFiles(): Promise<{ config: Record<string, unknown>; weights: Uint8Array }> {
  const files = await modelToFiles(new RobertaForMaskedLM(robertaConfig(CONFIG), { seed: 1 }));
  return { config: JSON.parse(files.get('config.json') as string) as Record<string, unknown>, weights: files.get('model.safetensors') as Uint8Array };
}

async function loadWith(edit: Record<string, unknown>, options: Parameters<typeof pretrainedFromFolder>[1] = {}): Promise<unknown> {
  const { config, weights } = await mlmFiles();
  const folder = bytesFolder('hostile', new Map([['config.json', new TextEncoder().encode(JSON.stringify({ ...config, ...edit }))], ['model.safetensors', weights]]));
  const before = getBackend().memory().bytes;
  const err = await pretrainedFromFolder(folder, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  // nothing was allocated for the rejected model (the MLM that made the files is garbage already)
  expect(getBackend().memory().bytes - before).toBe(0);
  return err;
}

describe('config.json sizes are checked before allocating', () => {
  it('num_hidden_layers: 4194304 is a MissingWeightsError naming the layer counts, at once', async () => {
    const err = await loadWith({ num_hidden_layers: 4_194_304 });
    expect(err).toBeInstanceOf(MissingWeightsError);
    expect(String(err)).toMatch(/num_hidden_layers 4194304 asks for more encoder layers than the checkpoint has \(2\)/);
  });

  it('num_hidden_layers: 4194304 with allowMissing: a CheckpointError on the size of what would be created', async () => {
    const err = await loadWith({ num_hidden_layers: 4_194_304 }, { allowMissing: true });
    expect(err).toBeInstanceOf(CheckpointError);
    expect(String(err)).toMatch(/would create at least \d+ tensors the checkpoint lacks/);
  });

  it('intermediate_size: 2^23 is a WeightShapeError before the 4 GiB layer exists', async () => {
    const err = await loadWith({ intermediate_size: 2 ** 23 });
    expect(err).toBeInstanceOf(WeightShapeError);
    expect(String(err)).toMatch(/intermediate_size × hidden_size/);
  });

  it('num_labels: 2^23 (a fresh head of 2^23 × hidden) is a CheckpointError on the head size', async () => {
    const err = await loadWith({ id2label: undefined, label2id: undefined, num_labels: 2 ** 23 });
    expect(err).toBeInstanceOf(CheckpointError);
    expect(String(err)).toMatch(/classifier\.out_proj\.weight \[8388608, 8\]/);
  });

  it('vocab_size: 2^30 and hidden_size: 2^20 are shape errors, not allocations', async () => {
    expect(await loadWith({ vocab_size: 2 ** 30 })).toBeInstanceOf(WeightShapeError);
    expect(await loadWith({ hidden_size: 2 ** 20, num_attention_heads: 1 })).toBeInstanceOf(WeightShapeError);
  });

  it('a well-formed folder still loads, with the fresh classification head', async () => {
    const { config, weights } = await mlmFiles();
    const folder = bytesFolder('ok', new Map([['config.json', new TextEncoder().encode(JSON.stringify(config))], ['model.safetensors', weights]]));
    const { report } = await pretrainedFromFolder(folder, { numLabels: 3 });
    expect(report.newlyInitialized).toEqual(['classifier.dense.weight', 'classifier.dense.bias', 'classifier.out_proj.weight', 'classifier.out_proj.bias']);
  });
});

describe('robertaParameterShapes', () => {
  it('lists exactly the parameters (names, shapes, order) each model builds', () => {
    const cfg = robertaConfig({ ...CONFIG, numHiddenLayers: 3, numLabels: 5 });
    for (const [task, model] of [
      ['sequence-classification', new RobertaForSequenceClassification(cfg, { initWeights: false })],
      ['masked-lm', new RobertaForMaskedLM(cfg, { initWeights: false })],
      ['encoder', new RobertaModel(cfg, { initWeights: false })],
    ] as const) {
      const built = model.namedParameters().map(([n, p]) => [n, [...p.shape]]);
      expect([...robertaParameterShapes(cfg, task)], task).toEqual(built);
    }
  });
});
