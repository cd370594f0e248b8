import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, readFile, readdir, rm, truncate, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CpuBackend, FormatError, tensor, useBackend, type Tensor } from '@edora/tensor';
import { readSafetensorsFile, writeSafetensorsFile } from '@edora/tensor/node';
import {
  CheckpointError, loadWeights, MissingWeightsError, ModelNotFoundError, RobertaForSequenceClassification, WeightShapeError,
  type TensorSource,
} from '../src/index.js';
import { checkpointFolderSource, fromPretrained, saveModel } from '../src/node.js';
import { fixture, FIXTURE_DIR, readGolden, relativeError, SHARED_TINY_MLM, sharedTinyMlmExists, type Golden } from './helpers.js';

let tmp: string;
let golden: Map<string, Golden>;
let weights: Map<string, { shape: number[]; data: Float32Array }>;
const backend = new CpuBackend();

const inputs = (): { inputIds: Tensor; attentionMask: Tensor } => ({
  inputIds: tensor(golden.get('input_ids')!.data as Int32Array, golden.get('input_ids')!.shape),
  attentionMask: tensor(golden.get('attention_mask')!.data as Int32Array, golden.get('attention_mask')!.shape),
});

/** A model folder with the fixture's config (optionally edited) and the given tensors. */
async function folder(name: string, tensors: Map<string, { shape: number[]; data: Float32Array | Int32Array }>, editConfig?: (c: Record<string, unknown>) => void): Promise<string> {
  const dir = join(tmp, name);
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  const config = JSON.parse(await readFile(fixture('config.json'), 'utf8')) as Record<string, unknown>;
  editConfig?.(config);
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  const entries = Object.fromEntries([...tensors].map(([k, v]) => [k, { dtype: v.data instanceof Int32Array ? ('I32' as const) : ('F32' as const), shape: v.shape, data: v.data }]));
  await writeSafetensorsFile(join(dir, 'model.safetensors'), entries);
  return dir;
}

function edited(fn: (m: Map<string, { shape: number[]; data: Float32Array | Int32Array }>) => void): Map<string, { shape: number[]; data: Float32Array | Int32Array }> {
  const m = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>(weights);
  fn(m);
  return m;
}

beforeAll(async () => {
  useBackend(backend);
  tmp = await mkdtemp(join(tmpdir(), 'edora-models-ckpt-'));
  golden = await readGolden();
  const file = await readSafetensorsFile(fixture('model.safetensors'));
  weights = new Map([...file].map(([k, v]) => [k, { shape: v.shape, data: v.data as Float32Array }]));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('checkpoint layouts', () => {
  it('loads an encoder saved without the roberta. prefix (HF RobertaModel.save_pretrained)', async () => {
    const bare = edited((m) => {
      for (const k of [...m.keys()]) {
        const v = m.get(k)!;
        m.delete(k);
        if (k.startsWith('roberta.')) m.set(k.slice('roberta.'.length), v);
      }
    });
    const dir = await folder('bare', bare);
    const { model, report } = await fromPretrained(dir, { task: 'encoder' });
    expect(report.missing).toEqual([]);
    expect(report.ignored).toEqual([]);
    expect(report.loaded).toHaveLength(bare.size);
    const out = model.forward(inputs()).lastHiddenState;
    expect(relativeError(out.dataSync(), golden.get('hidden_states.2')!.data)).toBeLessThan(1e-5);
    // ...and into a task model, whose parameters carry the prefix.
    const cls = await fromPretrained(dir, { numLabels: 2 });
    expect(cls.report.missing).toEqual([]);
    expect(cls.report.newlyInitialized).toHaveLength(4);
  });

  it('accepts lm_head.decoder.bias for lm_head.bias and skips the tied lm_head.decoder.weight, the pooler and position_ids', async () => {
    const hf = edited((m) => {
      m.set('lm_head.decoder.bias', m.get('lm_head.bias')!);
      m.delete('lm_head.bias');
      m.set('lm_head.decoder.weight', m.get('roberta.embeddings.word_embeddings.weight')!);
      m.set('roberta.pooler.dense.weight', { shape: [32, 32], data: new Float32Array(32 * 32) });
      m.set('roberta.embeddings.position_ids', { shape: [1, 64], data: Int32Array.from({ length: 64 }, (_, i) => i) });
    });
    const { model, report } = await fromPretrained(join(await folder('hf-mlm', hf)), { task: 'masked-lm' });
    expect(report.ignored.sort()).toEqual(['lm_head.decoder.weight', 'roberta.embeddings.position_ids', 'roberta.pooler.dense.weight']);
    expect(report.loaded).toContain('lm_head.bias');
    expect(relativeError(model.forward(inputs()).dataSync(), golden.get('mlm_logits')!.data)).toBeLessThan(1e-5);
  });

  it('saves in HF layout and loads back bit for bit (single file and sharded)', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { task: 'masked-lm' });
    const single = join(tmp, 'saved-single');
    expect(await saveModel(model, single)).toEqual(['model.safetensors', 'config.json']);
    const back = await readSafetensorsFile(join(single, 'model.safetensors'));
    expect([...back.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [k, v] of weights) expect(back.get(k)!.data, k).toEqual(v.data);
    const config = JSON.parse(await readFile(join(single, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.architectures).toEqual(['RobertaForMaskedLM']);
    expect(config.hidden_size).toBe(32);

    const sharded = join(tmp, 'saved-sharded');
    const files = await saveModel(model, sharded, { maxShardBytes: 40_000 });
    expect(files).toContain('model.safetensors.index.json');
    const shards = (await readdir(sharded)).filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f));
    expect(shards.length).toBeGreaterThan(2);
    const index = JSON.parse(await readFile(join(sharded, 'model.safetensors.index.json'), 'utf8')) as { metadata: { total_size: number }; weight_map: Record<string, string> };
    expect(Object.keys(index.weight_map).sort()).toEqual([...weights.keys()].sort());
    expect(index.metadata.total_size).toBe([...weights.values()].reduce((a, v) => a + v.data.length * 4, 0));
    for (const f of shards) expect((await stat(join(sharded, f))).size).toBeLessThan(40_000 + 4096);
    const again = await fromPretrained(sharded, { task: 'masked-lm' });
    expect(again.report.loaded).toHaveLength(weights.size);
    expect(again.model.forward(inputs()).dataSync()).toEqual(model.forward(inputs()).dataSync());
  });

  it('a saved classification model reloads with its head and nothing newly initialized', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { numLabels: 3 });
    const dir = join(tmp, 'saved-cls');
    await saveModel(model, dir);
    const back = await fromPretrained(dir);
    expect(back.config.numLabels).toBe(3);
    expect(back.report.newlyInitialized).toEqual([]);
    expect(back.report.ignored).toEqual([]);
    expect(back.model.forward(inputs()).dataSync()).toEqual(model.forward(inputs()).dataSync());
  });

  it('float64 tensors load into float32 parameters (rounded once)', async () => {
    const dir = join(tmp, 'f64');
    await folder('f64', new Map());
    const entries = Object.fromEntries([...weights].map(([k, v]) => [k, { dtype: 'F64' as const, shape: v.shape, data: Float64Array.from(v.data) }]));
    await writeSafetensorsFile(join(dir, 'model.safetensors'), entries);
    const { model } = await fromPretrained(dir, { task: 'masked-lm' });
    expect(model.getParameter('roberta.embeddings.word_embeddings.weight').dtype).toBe('float32');
    expect(relativeError(model.forward(inputs()).dataSync(), golden.get('mlm_logits')!.data)).toBeLessThan(1e-5);
  });

  it('streams each tensor in bounded chunks (memory stays near the model size)', async () => {
    const source = await checkpointFolderSource(FIXTURE_DIR);
    let largest = 0;
    const spy: TensorSource = {
      ...source,
      readRange: (name, start, end) => {
        largest = Math.max(largest, end - start);
        return source.readRange(name, start, end);
      },
    };
    const model = new RobertaForSequenceClassification({ ...(await fromPretrained(FIXTURE_DIR)).config });
    await loadWeights(model.namedParameters(), spy, { chunkBytes: 1000 });
    await source.close();
    expect(largest).toBeGreaterThan(0);
    expect(largest).toBeLessThanOrEqual(1000);
    const word = model.getParameter('roberta.embeddings.word_embeddings.weight').dataSync();
    expect(word).toEqual(weights.get('roberta.embeddings.word_embeddings.weight')!.data);
  });
});

describe('bad checkpoints give typed errors naming the tensor and shapes', () => {
  it('a config that disagrees with the weights (vocab_size): WeightShapeError, model untouched', async () => {
    const dir = await folder('vocab', weights, (c) => {
      c.vocab_size = 300;
    });
    const err = await fromPretrained(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightShapeError);
    const e = err as WeightShapeError;
    expect(e.tensor).toBe('roberta.embeddings.word_embeddings.weight');
    expect(e.expected).toEqual([300, 32]);
    expect(e.found).toEqual([320, 32]);
    expect(e.message).toMatch(/\[320, 32\].*\[300, 32\].*vocab_size/);
  });

  it('a wrong shape inside a layer names that tensor; nothing is written before the check', async () => {
    const bad = edited((m) => m.set('roberta.encoder.layer.1.intermediate.dense.weight', { shape: [32, 64], data: new Float32Array(2048) }));
    const source = await checkpointFolderSource(await folder('shape', bad));
    const model = new RobertaForSequenceClassification((await fromPretrained(FIXTURE_DIR)).config, { seed: 3 });
    const before = model.getParameter('roberta.embeddings.word_embeddings.weight').dataSync().slice();
    const err = await loadWeights(model.namedParameters(), source).catch((e: unknown) => e);
    await source.close();
    expect(err).toBeInstanceOf(WeightShapeError);
    expect((err as Error).message).toContain('roberta.encoder.layer.1.intermediate.dense.weight has shape [32, 64]');
    expect((err as Error).message).toContain('[64, 32]');
    expect(model.getParameter('roberta.embeddings.word_embeddings.weight').dataSync()).toEqual(before);
  });

  it('missing tensors: MissingWeightsError listing them', async () => {
    const dir = await folder('missing', edited((m) => m.delete('roberta.encoder.layer.1.output.dense.weight')));
    const err = await fromPretrained(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingWeightsError);
    expect((err as MissingWeightsError).missing).toEqual(['roberta.encoder.layer.1.output.dense.weight']);
    // Allowed on request, and reported.
    const { report } = await fromPretrained(dir, { allowMissing: true });
    expect(report.missing).toEqual(['roberta.encoder.layer.1.output.dense.weight']);
  });

  it('more layers in the weights than in the config: CheckpointError naming the layer and num_hidden_layers', async () => {
    const dir = await folder('layers', weights, (c) => {
      c.num_hidden_layers = 1;
    });
    const err = await fromPretrained(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/roberta\.encoder\.layer\.1\..*num_hidden_layers is 1/s);
    const lenient = await fromPretrained(dir, { strict: false });
    expect(lenient.report.ignored.filter((n) => n.includes('layer.1.'))).toHaveLength(16);
  });

  it('fewer layers in the weights than in the config: the missing layer is listed', async () => {
    const dir = await folder('layers3', weights, (c) => {
      c.num_hidden_layers = 3;
    });
    const err = (await fromPretrained(dir).catch((e: unknown) => e)) as MissingWeightsError;
    expect(err).toBeInstanceOf(MissingWeightsError);
    expect(err.missing).toHaveLength(16);
    expect(err.missing.every((n) => n.startsWith('roberta.encoder.layer.2.'))).toBe(true);
  });

  it('a truncated file: FormatError naming the tensor that runs past the end', async () => {
    const dir = join(tmp, 'truncated');
    await folder('truncated', weights);
    const path = join(dir, 'model.safetensors');
    await truncate(path, (await stat(path)).size - 100);
    const err = await fromPretrained(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FormatError);
    expect((err as Error).message).toMatch(/model\.safetensors.*tensor "roberta\.encoder\.layer\.1\.output\.dense\.weight".*run past/);
  });

  it('an integer tensor where a weight belongs: CheckpointError with the dtype', async () => {
    const dir = await folder('dtype', edited((m) => m.set('roberta.embeddings.LayerNorm.bias', { shape: [32], data: new Int32Array(32) })));
    await expect(fromPretrained(dir)).rejects.toThrow(/roberta\.embeddings\.LayerNorm\.bias has dtype I32/);
  });

  it('broken shard indexes: a missing shard, a shard without its tensors, a path outside the folder', async () => {
    const { model } = await fromPretrained(FIXTURE_DIR, { task: 'masked-lm' });
    const dir = join(tmp, 'shards-bad');
    await saveModel(model, dir, { maxShardBytes: 60_000 });
    const indexPath = join(dir, 'model.safetensors.index.json');
    const index = JSON.parse(await readFile(indexPath, 'utf8')) as { weight_map: Record<string, string> };
    const shard = Object.values(index.weight_map)[0]!;

    await copyFile(join(dir, shard), join(tmp, 'shard.bak'));
    await rm(join(dir, shard));
    await expect(fromPretrained(dir, { task: 'masked-lm' })).rejects.toThrow(new RegExp(`names shard ${shard}, but .* does not exist`));
    await copyFile(join(tmp, 'shard.bak'), join(dir, shard));

    const moved = { ...index, weight_map: { ...index.weight_map, 'lm_head.bias': shard === index.weight_map['lm_head.bias'] ? 'model-00002-of-00003.safetensors' : shard } };
    await writeFile(indexPath, JSON.stringify(moved));
    await expect(fromPretrained(dir, { task: 'masked-lm' })).rejects.toBeInstanceOf(CheckpointError);

    await writeFile(indexPath, JSON.stringify({ weight_map: { 'lm_head.bias': '../elsewhere.safetensors' } }));
    await expect(fromPretrained(dir, { task: 'masked-lm' })).rejects.toThrow(/must be a \.safetensors file name in the same folder/);
  });

  it('a hub name with no local folder explains how to provide the files; nothing is downloaded', async () => {
    const err = await fromPretrained('roberta-base').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelNotFoundError);
    expect((err as Error).message).toMatch(/never downloads/);
    // The fixture folder has no tokenizer files, so none is returned.
    expect((await fromPretrained(FIXTURE_DIR)).tokenizer).toBeUndefined();
    expect((err as Error).message).toMatch(/huggingface-cli download FacebookAI\/roberta-base/);
    const folderErr = await fromPretrained(join(tmp, 'does-not-exist')).catch((e: unknown) => e);
    expect(folderErr).toBeInstanceOf(ModelNotFoundError);
    expect((folderErr as Error).message).toMatch(/config\.json/);
    const empty = join(tmp, 'no-weights');
    await folder('no-weights', weights);
    await rm(join(empty, 'model.safetensors'));
    await writeFile(join(empty, 'pytorch_model.bin'), 'x');
    await expect(fromPretrained(empty)).rejects.toThrow(/pytorch_model\.bin is a pickled PyTorch checkpoint/);
  });
});

describe.skipIf(!sharedTinyMlmExists)(`the shared pretrained tiny-roberta-mlm (needs ${SHARED_TINY_MLM})`, () => {
  it('loads as masked LM with every tensor used, and as a classifier with lm_head ignored and a new head', async () => {
    const mlm = await fromPretrained(SHARED_TINY_MLM, { task: 'masked-lm' });
    expect(mlm.report.ignored).toEqual([]);
    expect(mlm.report.newlyInitialized).toEqual([]);
    expect(mlm.report.loaded).toHaveLength(5 + 5 + 4 * 16);
    const cls = await fromPretrained(SHARED_TINY_MLM, { numLabels: 2 });
    expect(cls.report.ignored.sort()).toEqual(['lm_head.bias', 'lm_head.dense.bias', 'lm_head.dense.weight', 'lm_head.layer_norm.bias', 'lm_head.layer_norm.weight']);
    expect(cls.report.newlyInitialized).toHaveLength(4);
    // "<s> The cat sat on <mask> mat . </s>" with roberta-base ids: a pretrained MLM puts the
    // masked-out " the" (id 5) among its top predictions, a random one would not.
    const ids = Int32Array.from([0, 133, 4758, 4005, 15, 50264, 7821, 479, 2]);
    // The folder's tokenizer came along and agrees with those ids.
    expect(mlm.tokenizer?.encode('The cat sat on <mask> mat .').inputIds).toEqual([...ids]);
    const logits = mlm.model.forward({ inputIds: tensor(ids, [1, ids.length]) }).dataSync();
    const V = 50265;
    const row = logits.subarray(5 * V, 6 * V);
    const rank = Array.from(row).filter((v) => v > row[5]!).length;
    expect(rank).toBeLessThan(10);
  });
});
