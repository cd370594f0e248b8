import { beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend, getRngState, randn, useBackend, type Tensor } from '@edora/tensor';
import { readSafetensorsFile, writeSafetensorsFile } from '@edora/tensor/node';
import { parseRobertaConfig, RobertaForMaskedLM, RobertaForSequenceClassification, RobertaModel, type RobertaConfig } from '../src/index.js';
import { checkpointFolderSource, fromPretrained } from '../src/node.js';
import { fixture, FIXTURE_DIR, SHARED_TINY_MLM, sharedTinyMlmExists } from './helpers.js';

// Loading a checkpoint builds the model without any init: no random numbers are drawn (the
// backend never runs its 'random' op, the default stream does not move), every parameter is
// allocated once and the checkpoint is streamed into it, so the backend's peak is the weights
// themselves. Only what the checkpoint lacks gets HF's init, with the values a seeded
// constructor gives it.

let config: RobertaConfig;
beforeAll(async () => {
  useBackend(new CpuBackend());
  config = parseRobertaConfig(await readFile(fixture('config.json'), 'utf8'));
});

/** A fresh cpu backend whose `run` calls are recorded. */
function watchedBackend(): { backend: CpuBackend; randomOps: () => number } {
  const backend = new CpuBackend();
  const run = vi.spyOn(backend, 'run');
  return { backend, randomOps: () => run.mock.calls.filter(([op]) => op === 'random').length };
}

/** Bytes of the checkpoint's tensors (not the file: no header). */
async function tensorBytes(dir: string): Promise<number> {
  const source = await checkpointFolderSource(dir);
  const total = [...source.tensors.values()].reduce((n, t) => n + t.byteLength, 0);
  await source.close();
  return total;
}

const values = (t: Tensor): number[] => [...t.dataSync()];

async function expectLoadDrawsNothing(dir: string): Promise<void> {
  const { backend, randomOps } = watchedBackend();
  const stream = getRngState();
  const { model, report } = await fromPretrained(dir, { task: 'masked-lm', backend });
  expect(report.newlyInitialized).toEqual([]);
  expect(randomOps()).toBe(0);
  expect(getRngState()).toEqual(stream);
  const bytes = await tensorBytes(dir);
  const { peakBytes } = backend.memory();
  expect(peakBytes / bytes, `peak ${peakBytes} B for ${bytes} B of checkpoint tensors`).toBeLessThanOrEqual(1.05);
  // every checkpoint tensor landed in its parameter, bit for bit (compared as bytes: toEqual
  // walks 12.9 M numbers for a minute)
  const stored = await readSafetensorsFile(join(dir, 'model.safetensors'));
  const bits = (a: ArrayBufferView): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  for (const [name, p] of model.namedParameters()) expect(bits(p.dataSync()).equals(bits(stored.get(name)!.data)), name).toBe(true);
}

describe('loading a checkpoint draws no random weights and holds one copy of them', () => {
  it('the committed tiny fixture, as masked LM (every tensor in the checkpoint)', async () => {
    await expectLoadDrawsNothing(FIXTURE_DIR);
  });

  it.skipIf(!sharedTinyMlmExists)(`the shared tiny-roberta-mlm (16 M parameters; skipped without ${SHARED_TINY_MLM})`, async () => {
    await expectLoadDrawsNothing(SHARED_TINY_MLM);
  });

  it('a classifier from an MLM checkpoint draws only its new head, with the values of a seeded constructor', async () => {
    const { backend, randomOps } = watchedBackend();
    const { model, report } = await fromPretrained(FIXTURE_DIR, { numLabels: 3, seed: 7, backend });
    expect(report.newlyInitialized.sort()).toEqual(['classifier.dense.bias', 'classifier.dense.weight', 'classifier.out_proj.bias', 'classifier.out_proj.weight']);
    expect(randomOps()).toBe(2); // dense.weight and out_proj.weight; biases are zero
    const built = new RobertaForSequenceClassification({ ...config, numLabels: 3 }, { seed: 7 });
    for (const name of report.newlyInitialized) expect(values(model.getParameter(name)), name).toEqual(values(built.getParameter(name)));
    // HF's head init, recomputed from its definition: N(0, 0.02²) from the seed after the encoder's
    const dense = randn([config.hiddenSize, config.hiddenSize], { seed: 8, offset: 0, std: config.initializerRange });
    expect(values(model.getParameter('classifier.dense.weight'))).toEqual(values(dense));
  });

  it('allowMissing: a missing encoder weight gets HF init (seeded as the constructor), the rest comes from the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-models-missing-'));
    try {
      const file = await readSafetensorsFile(fixture('model.safetensors'));
      const gone = 'roberta.encoder.layer.1.output.dense.weight';
      const kept = [...file].filter(([k]) => k !== gone).map(([k, v]) => [k, { dtype: 'F32' as const, shape: v.shape, data: v.data }]);
      await writeSafetensorsFile(join(dir, 'model.safetensors'), Object.fromEntries(kept));
      await writeFile(join(dir, 'config.json'), await readFile(fixture('config.json'), 'utf8'));
      const { backend, randomOps } = watchedBackend();
      const { model, report } = await fromPretrained(dir, { task: 'masked-lm', allowMissing: true, seed: 2, backend });
      expect(report.missing).toEqual([gone]);
      expect(randomOps()).toBe(1);
      expect(values(model.getParameter(gone))).toEqual(values(new RobertaForMaskedLM(config, { seed: 2 }).getParameter(gone)));
      const next = 'roberta.encoder.layer.1.output.dense.bias';
      expect(model.getParameter(next).dataSync()).toEqual(file.get(next)!.data);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('building a model draws each weight once', () => {
  it('HF init runs once over layers that draw nothing themselves', () => {
    const { backend, randomOps } = watchedBackend();
    const model = new RobertaForSequenceClassification(config, { seed: 1, backend });
    // one draw per Linear and Embedding weight: 3 embeddings, 6 Linear per layer, 2 in the head
    expect(randomOps()).toBe(3 + 6 * config.numHiddenLayers + 2);
    const params = model.parameters().reduce((n, p) => n + p.size * 4, 0);
    expect(backend.memory().bytes).toBe(params);
  });

  it('initWeights: false draws nothing and leaves every parameter zero, heads included', () => {
    const { backend, randomOps } = watchedBackend();
    for (const model of [
      new RobertaModel(config, { initWeights: false, backend }),
      new RobertaForSequenceClassification(config, { initWeights: false, backend }),
      new RobertaForMaskedLM(config, { initWeights: false, backend }),
    ]) {
      for (const [name, p] of model.namedParameters()) expect(values(p).every((v) => v === 0), name).toBe(true);
    }
    expect(randomOps()).toBe(0);
  });
});
