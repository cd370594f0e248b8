import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randn, readSafetensors, writeSafetensors, type SafetensorsWriteEntry } from '@edora/tensor';
import { AdapterFileError, adapterToFiles, applyAdapters, loadAdapterFiles, type AdapterMethod, type Module } from '../src/index.js';
import { loadAdapter, saveAdapter } from '../src/node.js';
import { TinyEncoder } from './tiny-encoder.js';
import { maxRelErr, noise } from './reference.js';

/**
 * Files exactly as HF PEFT 0.10.0 and the EDoRA authors' code (github.com/Hamid-Nasiri/EDoRA, on
 * PEFT 0.10.0) write them, hand-built here from their source: `LoraConfig.save_pretrained` writes
 * every dataclass field (sorted), `get_peft_model_state_dict` keeps keys containing "lora_" and
 * the modules-to-save copies, then drops ".default".
 */
const PEFT_0_10_LORA_CONFIG_FIELDS = [
  'alpha_pattern', 'auto_mapping', 'base_model_name_or_path', 'bias', 'fan_in_fan_out', 'inference_mode', 'init_lora_weights',
  'layer_replication', 'layers_pattern', 'layers_to_transform', 'loftq_config', 'lora_alpha', 'lora_dropout', 'megatron_config',
  'megatron_core', 'modules_to_save', 'peft_type', 'r', 'rank_pattern', 'revision', 'target_modules', 'task_type', 'use_dora', 'use_rslora',
];

function peftConfig(over: Record<string, unknown>): Record<string, unknown> {
  return {
    alpha_pattern: {}, auto_mapping: null, base_model_name_or_path: 'roberta-base', bias: 'none', fan_in_fan_out: false,
    inference_mode: true, init_lora_weights: true, layer_replication: null, layers_pattern: null, layers_to_transform: null,
    loftq_config: {}, lora_alpha: 4, lora_dropout: 0.0, megatron_config: null, megatron_core: 'megatron.core', modules_to_save: null,
    peft_type: 'LORA', r: 2, rank_pattern: {}, revision: null, target_modules: ['value', 'query'], task_type: 'SEQ_CLS',
    use_dora: false, use_rslora: false, ...over,
  };
}

const h = 8;
const r = 2;
const paths = [0, 1].flatMap((i) => ['query', 'value'].map((n) => `roberta.encoder.layer.${i}.attention.self.${n}`));

/** Adapter tensors as PEFT names them in the file, plus the SEQ_CLS head PEFT saves unasked. */
function peftWeights(kind: 'lora' | 'dora' | 'edora' | 'lora-xs', head: boolean): Record<string, SafetensorsWriteEntry> {
  const e: Record<string, SafetensorsWriteEntry> = {};
  paths.forEach((p, i) => {
    e[`base_model.model.${p}.lora_A.weight`] = { dtype: 'F32', shape: [r, h], data: noise(r * h, 10 + i) };
    e[`base_model.model.${p}.lora_B.weight`] = { dtype: 'F32', shape: [h, r], data: noise(h * r, 20 + i) };
    if (kind === 'edora' || kind === 'lora-xs') e[`base_model.model.${p}_lora_latent_mapping.weight`] = { dtype: 'F32', shape: [r, r], data: noise(r * r, 30 + i) };
    if (kind === 'dora' || kind === 'edora') e[`base_model.model.${p}.lora_magnitude_vector`] = { dtype: 'F32', shape: [h], data: noise(h, 40 + i).map((v) => 2 + v) };
  });
  if (head) {
    e['base_model.model.classifier.dense.weight'] = { dtype: 'F32', shape: [h, h], data: noise(h * h, 50) };
    e['base_model.model.classifier.dense.bias'] = { dtype: 'F32', shape: [h], data: noise(h, 51) };
    e['base_model.model.classifier.out_proj.weight'] = { dtype: 'F32', shape: [2, h], data: noise(2 * h, 52) };
    e['base_model.model.classifier.out_proj.bias'] = { dtype: 'F32', shape: [2], data: noise(2, 53) };
  }
  return e;
}

/** The authors' `config/reconstruct_config.yaml` after main_glue.py set the rank, as it dumps it. */
function authorsReconstrConfig(rank: number, randomInit: boolean): string {
  return JSON.stringify({
    reconstruction_type: 'svd', reconstr_mode: 'separated', half_init_dec: false, replacement_module_random_init: randomInit,
    r_squared: true, svd: { n_iter: 10, random_state: 42, rank },
  });
}

function perturb(model: Module, seed: number): void {
  const sd = model.stateDict();
  const changed = Object.fromEntries(
    Object.entries(sd).filter(([, t]) => t.requiresGrad).map(([k, t], i) => [k, t.add(randn(t.shape, { seed: seed + i, std: 0.2 }))]),
  );
  model.loadStateDict({ ...sd, ...changed });
}

describe('a PEFT SEQ_CLS folder, as PEFT writes it', () => {
  it('loads the classifier PEFT saves with modules_to_save: null (PEFT adds classifier/score itself)', async () => {
    const files = { 'adapter_config.json': JSON.stringify(peftConfig({})), 'adapter_model.safetensors': writeSafetensors(peftWeights('lora', true), { format: 'pt' }) };
    const model = new TinyEncoder(h);
    const report = await loadAdapterFiles(model, files);
    expect(report.loaded).toContain('base_model.model.classifier.out_proj.bias');
    expect([...model.getParameter('classifier.out_proj.bias').dataSync()]).toEqual([...Float32Array.from(noise(2, 53))]);
    expect([...model.getParameter('classifier.dense.weight').dataSync()]).toEqual([...Float32Array.from(noise(h * h, 50))]);
    // trainable, as PEFT's ModulesToSaveWrapper makes it
    expect(model.getParameter('classifier.dense.weight').requiresGrad).toBe(true);
    expect(report.config.modulesToSave).toEqual([]);
  });

  it('a SEQ_CLS file without the head (older files of this project) still loads, head untouched', async () => {
    const files = { 'adapter_config.json': JSON.stringify(peftConfig({})), 'adapter_model.safetensors': writeSafetensors(peftWeights('lora', false), { format: 'pt' }) };
    const model = new TinyEncoder(h);
    const before = [...model.getParameter('classifier.out_proj.bias').dataSync()];
    await loadAdapterFiles(model, files);
    expect([...model.getParameter('classifier.out_proj.bias').dataSync()]).toEqual(before);
  });

  it('a half-saved head is still an error naming what is missing', async () => {
    const w = peftWeights('lora', true);
    delete w['base_model.model.classifier.dense.bias'];
    const files = { 'adapter_config.json': JSON.stringify(peftConfig({})), 'adapter_model.safetensors': writeSafetensors(w, { format: 'pt' }) };
    const err = (await loadAdapterFiles(new TinyEncoder(h), files).catch((e: unknown) => e)) as AdapterFileError;
    expect(err).toBeInstanceOf(AdapterFileError);
    expect(err.problems).toEqual(['missing base_model.model.classifier.dense.bias [8]']);
  });

  it('with another task type the head keys are not expected', async () => {
    const files = { 'adapter_config.json': JSON.stringify(peftConfig({ task_type: 'FEATURE_EXTRACTION' })), 'adapter_model.safetensors': writeSafetensors(peftWeights('lora', true), { format: 'pt' }) };
    const err = (await loadAdapterFiles(new TinyEncoder(h), files).catch((e: unknown) => e)) as AdapterFileError;
    expect(err.problems).toContain('unexpected base_model.model.classifier.dense.weight (no such target in the model)');
  });
});

describe('an EDoRA folder written by the authors\' code', () => {
  const authorsFiles = (kind: 'edora' | 'lora-xs', side: boolean) => ({
    'adapter_config.json': JSON.stringify(peftConfig({ use_dora: kind === 'edora', lora_alpha: 16 })),
    'adapter_model.safetensors': writeSafetensors(peftWeights(kind, true), { format: 'pt' }),
    ...(side ? { 'reconstr_config.json': authorsReconstrConfig(r, true) } : {}),
  });

  it('is recognized as EDoRA from its latent keys (use_dora: true, no field of ours)', async () => {
    const model = new TinyEncoder(h);
    const report = await loadAdapterFiles(model, authorsFiles('edora', false));
    expect(report.config.method).toBe('edora');
    expect(model.getParameter(`${paths[0]}.lora_latent_mapping`).shape).toEqual([r, r]);
    expect(model.getParameter(`${paths[0]}.lora_A`).requiresGrad).toBe(false);
  });

  it('is recognized as LoRA-XS when use_dora is false', async () => {
    const report = await loadAdapterFiles(new TinyEncoder(h), authorsFiles('lora-xs', false));
    expect(report.config.method).toBe('lora-xs');
  });

  it('takes the init from reconstr_config.json when it is there', async () => {
    const report = await loadAdapterFiles(new TinyEncoder(h), authorsFiles('edora', true));
    expect(report.config).toMatchObject({ method: 'edora', init: 'random', r, alpha: 16 });
  });

  it('takes the method explicitly, and says so when it contradicts the file', async () => {
    const explicit = await loadAdapterFiles(new TinyEncoder(h), authorsFiles('edora', false), { method: 'edora' });
    expect(explicit.config.method).toBe('edora');
    const asDora = (await loadAdapterFiles(new TinyEncoder(h), authorsFiles('edora', false), { method: 'dora' }).catch((e: unknown) => e)) as AdapterFileError;
    expect(asDora).toBeInstanceOf(AdapterFileError);
    expect(asDora.problems.filter((p) => p.startsWith('unexpected'))).toHaveLength(4);
    const wrongMagnitude = loadAdapterFiles(new TinyEncoder(h), authorsFiles('edora', false), { method: 'lora-xs' });
    await expect(wrongMagnitude).rejects.toThrow(/method lora-xs has no magnitude vector, but the file says use_dora: true/);
  });

  it('a side file whose rank differs from r is an error naming both', async () => {
    const files = { ...authorsFiles('edora', false), 'reconstr_config.json': authorsReconstrConfig(4, false) };
    await expect(loadAdapterFiles(new TinyEncoder(h), files)).rejects.toThrow(/reconstr_config\.json: svd\.rank is 4, but adapter_config\.json has r = 2/);
  });
});

describe.each(['edora', 'lora-xs'] as AdapterMethod[])('%s files this project writes', (method) => {
  it('adapter_config.json holds only fields PEFT 0.10.0\'s LoraConfig takes; the rest goes to reconstr_config.json', async () => {
    const model = new TinyEncoder(h);
    await applyAdapters(model, { method, r, alpha: 16, targetModules: ['query', 'value'], modulesToSave: ['classifier'], init: 'random', sigma: 1e-3, seed: 2 });
    perturb(model, 5);
    const files = await adapterToFiles(model, { baseModelNameOrPath: 'roberta-base' });
    const cfg = JSON.parse(files['adapter_config.json']) as Record<string, unknown>;
    expect(Object.keys(cfg)).toEqual(PEFT_0_10_LORA_CONFIG_FIELDS);
    expect(cfg.use_dora).toBe(method === 'edora');
    expect(JSON.parse(files['reconstr_config.json']!)).toEqual({
      reconstruction_type: 'svd', reconstr_mode: 'separated', half_init_dec: false, replacement_module_random_init: true,
      r_squared: true, svd: { n_iter: 10, random_state: 42, rank: r }, init_sigma: 1e-3,
    });
    const fresh = new TinyEncoder(h);
    const report = await loadAdapterFiles(fresh, files);
    expect(report.config).toMatchObject({ method, init: 'random', sigma: 1e-3 });
    const x = randn([3, h], { seed: 4 });
    expect(maxRelErr(fresh.forward(x).dataSync(), model.forward(x).dataSync())).toBe(0);
  });

  it('files of earlier versions (with the `edora` field, no side file) still load', async () => {
    const model = new TinyEncoder(h);
    await applyAdapters(model, { method, r, alpha: 16, targetModules: ['query', 'value'], modulesToSave: ['classifier'], init: 'svd', seed: 2 });
    perturb(model, 6);
    const files = await adapterToFiles(model);
    const legacy: Record<string, unknown> = { ...JSON.parse(files['adapter_config.json']) as Record<string, unknown>, edora: { method, init: 'svd', sigma: 2e-5 } };
    for (const k of ['layer_replication', 'loftq_config', 'megatron_config', 'megatron_core']) delete legacy[k];
    const fresh = new TinyEncoder(h);
    const report = await loadAdapterFiles(fresh, { 'adapter_config.json': JSON.stringify(legacy), 'adapter_model.safetensors': files['adapter_model.safetensors'] });
    expect(report.config).toMatchObject({ method, init: 'svd', sigma: 2e-5 });
    const x = randn([3, h], { seed: 4 });
    expect(maxRelErr(fresh.forward(x).dataSync(), model.forward(x).dataSync())).toBe(0);
  });
});

describe('LoRA and DoRA files this project writes', () => {
  it('are plain PEFT 0.10.0 files: its config fields, no side file, and the SEQ_CLS head PEFT would save', async () => {
    for (const method of ['lora', 'dora'] as const) {
      const model = new TinyEncoder(h);
      await applyAdapters(model, { method, r, targetModules: ['query', 'value'], seed: 2 });
      const files = await adapterToFiles(model);
      expect(Object.keys(JSON.parse(files['adapter_config.json']) as object)).toEqual(PEFT_0_10_LORA_CONFIG_FIELDS);
      expect(files['reconstr_config.json']).toBeUndefined();
      expect([...readSafetensors(files['adapter_model.safetensors']).keys()]).toContain('base_model.model.classifier.out_proj.weight');
    }
  });
});

describe('EDoRA folders on disk', () => {
  it('saveAdapter writes reconstr_config.json in the folder and in its parent (where the authors\' loader reads it)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'edora-side-'));
    try {
      const model = new TinyEncoder(h);
      await applyAdapters(model, { method: 'edora', r, alpha: 16, targetModules: ['query', 'value'], modulesToSave: ['classifier'], seed: 3 });
      perturb(model, 7);
      const run = join(root, 'run');
      const report = await saveAdapter(model, join(run, 'adapter'));
      expect((await readdir(join(run, 'adapter'))).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'reconstr_config.json']);
      expect(await readFile(join(run, 'reconstr_config.json'), 'utf8')).toBe(await readFile(join(run, 'adapter', 'reconstr_config.json'), 'utf8'));
      expect(report.notes).toEqual([]);

      // a different adapter in the same parent: the parent's file is left for the first one, and the save says so
      const other = new TinyEncoder(h);
      await applyAdapters(other, { method: 'edora', r: 3, alpha: 16, targetModules: ['query', 'value'], seed: 3 });
      const second = await saveAdapter(other, join(run, 'adapter-r3'));
      expect(second.notes).toEqual([expect.stringMatching(/left .*reconstr_config\.json as it is: it describes another adapter/)]);
      expect(JSON.parse(await readFile(join(run, 'reconstr_config.json'), 'utf8')).svd.rank).toBe(r);

      const fresh = new TinyEncoder(h);
      await loadAdapter(fresh, join(run, 'adapter'));
      const x = randn([2, h], { seed: 8 });
      expect(maxRelErr(fresh.forward(x).dataSync(), model.forward(x).dataSync())).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('loadAdapter reads the side file from the parent, as the authors lay out a run (run/reconstr_config.json, run/checkpoint-N/)', async () => {
    const root = await mkdtemp(join(tmpdir(), 'edora-authors-'));
    try {
      const ckpt = join(root, 'checkpoint-500');
      await mkdir(ckpt, { recursive: true });
      await writeFile(join(root, 'reconstr_config.json'), authorsReconstrConfig(r, false));
      await writeFile(join(ckpt, 'adapter_config.json'), JSON.stringify(peftConfig({ use_dora: true, lora_alpha: 16 })));
      await writeFile(join(ckpt, 'adapter_model.safetensors'), writeSafetensors(peftWeights('edora', true), { format: 'pt' }));
      const report = await loadAdapter(new TinyEncoder(h), ckpt);
      expect(report.config).toMatchObject({ method: 'edora', init: 'svd' });
      expect(report.sideFile).toBe(join(root, 'reconstr_config.json'));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
