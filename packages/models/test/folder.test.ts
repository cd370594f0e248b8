import { beforeAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { CpuBackend, tensor, useBackend, type Tensor } from '@edora/tensor';
import {
  blobFolder, bytesFolder, CheckpointError, modelToFiles, ModelNotFoundError, pretrainedFromFolder, tokenizerOfFolder,
  type ModelFolder,
} from '../src/index.js';
import { fromPretrained, loadTokenizer } from '../src/node.js';
import { fixture, FIXTURE_DIR, readGolden, relativeError, type Golden } from './helpers.js';
import { hasRobertaFiles, missingRobertaFiles, robertaTokenizerDir } from './tokenizer-reference.js';

// Model folders that are not directories: the files a user drops into a page (Blobs) and bytes
// in memory. They load to exactly what fromPretrained reads from the same files on disk, and the
// golden logits of the fixture (computed by HF transformers, scripts/make-roberta-golden.py) hold.

let golden: Map<string, Golden>;
const backend = new CpuBackend();
const inputs = (): { inputIds: Tensor; attentionMask: Tensor } => ({
  inputIds: tensor(golden.get('input_ids')!.data as Int32Array, golden.get('input_ids')!.shape),
  attentionMask: tensor(golden.get('attention_mask')!.data as Int32Array, golden.get('attention_mask')!.shape),
});

async function fixtureBlobs(names: string[]): Promise<Map<string, Blob>> {
  return new Map(await Promise.all(names.map(async (n) => [n, new Blob([await readFile(fixture(n))])] as [string, Blob])));
}

beforeAll(async () => {
  useBackend(backend);
  golden = await readGolden();
});

describe('model folders of Blobs and bytes', () => {
  it('a dropped folder (Blobs) loads the fixture as fromPretrained does and gives the golden encoder output', async () => {
    const folder = blobFolder('tiny-roberta', await fixtureBlobs(['config.json', 'model.safetensors']));
    const { model, report } = await pretrainedFromFolder(folder, { task: 'encoder' });
    expect(report.missing).toEqual([]);
    const out = model.forward(inputs());
    const layers = JSON.parse(await readFile(fixture('config.json'), 'utf8')).num_hidden_layers as number;
    const want = golden.get(`hidden_states.${layers}`)!;
    expect(relativeError(await out.lastHiddenState.data(), want.data)).toBeLessThan(1e-5);
    const disk = (await fromPretrained(FIXTURE_DIR, { task: 'encoder' })).model;
    for (const [name, p] of model.namedParameters()) expect(Array.from(await p.data()), name).toEqual(Array.from(await disk.getParameter(name).data()));
  });

  it('modelToFiles round-trips through a bytes folder, one file and sharded, to the same logits', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { numLabels: 3, seed: 4 });
    const want = Array.from(await model.forward(inputs()).data());
    for (const maxShardBytes of [Infinity, 40_000]) {
      const files = await modelToFiles(model, { maxShardBytes });
      expect(files.has('config.json')).toBe(true);
      if (maxShardBytes === Infinity) expect([...files.keys()].sort()).toEqual(['config.json', 'model.safetensors']);
      else expect(files.has('model.safetensors.index.json') && files.size > 3).toBe(true);
      const bytes = new Map([...files].map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
      const back = (await pretrainedFromFolder(bytesFolder('saved', bytes))).model;
      expect(JSON.parse(files.get('config.json') as string).architectures).toEqual(['RobertaForSequenceClassification']);
      expect(Array.from(await back.forward(inputs()).data())).toEqual(want);
    }
  });

  it('a folder without config.json or weights is an error naming the folder and what it holds', async () => {
    await expect(pretrainedFromFolder(blobFolder('dropped', await fixtureBlobs(['model.safetensors'])))).rejects.toThrow(ModelNotFoundError);
    await expect(pretrainedFromFolder(blobFolder('dropped', await fixtureBlobs(['model.safetensors'])))).rejects.toThrow(/dropped is not a model folder \(no config\.json\)/);
    const noWeights: ModelFolder = blobFolder('dropped', new Map([...(await fixtureBlobs(['config.json'])), ['pytorch_model.bin', new Blob([new Uint8Array(4)])]]));
    const err = await pretrainedFromFolder(noWeights).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/dropped: no model\.safetensors .* has: config\.json, pytorch_model\.bin\. pytorch_model\.bin is a pickled PyTorch checkpoint/);
    const truncated = blobFolder('cut', new Map([...(await fixtureBlobs(['config.json'])), ['model.safetensors', new Blob([new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123])])]]));
    await expect(pretrainedFromFolder(truncated)).rejects.toThrow(/cut\/model\.safetensors/);
  });

  it.skipIf(!hasRobertaFiles)(`the tokenizer of a dropped folder is the one loadTokenizer reads${hasRobertaFiles ? '' : ` (skipped: ${missingRobertaFiles})`}`, async () => {
    const names = ['vocab.json', 'merges.txt'];
    const blobs = new Map(await Promise.all(names.map(async (n) => [n, new Blob([await readFile(`${robertaTokenizerDir}/${n}`)])] as [string, Blob])));
    const tok = await tokenizerOfFolder(blobFolder('roberta-base', blobs));
    expect(tok.encode('Hello world').inputIds).toEqual([0, 31414, 232, 2]);
    const text = 'The studio reads a dropped folder; café, naïve — and 42 tokens?';
    expect(tok.encode(text).inputIds).toEqual((await loadTokenizer(robertaTokenizerDir)).encode(text).inputIds);
  });
});
