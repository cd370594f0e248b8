import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randn, readSafetensors, tensor, writeSafetensors, type SafetensorsWriteEntry } from '@edora/tensor';
import {
  ADAPTER_METHODS, AdapterFileError, METHOD_TRAITS, adapterToFiles, applyAdapters, loadAdapterFiles, type Module,
} from '../src/index.js';
import { loadAdapter, saveAdapter } from '../src/node.js';
import { TinyEncoder } from './tiny-encoder.js';
import { adaptedForward, mat, maxRelErr, mm, noise, tr } from './reference.js';

const TARGETS = ['query', 'value'];

// moves every trainable tensor away from its init, so a round trip has something to carry
function perturb(model: Module, seed: number): void {
  const sd = model.stateDict();
  const changed = Object.fromEntries(
    Object.entries(sd).filter(([, t]) => t.requiresGrad).map(([k, t], i) => [k, t.add(randn(t.shape, { seed: seed + i, std: 0.2 }))]),
  );
  model.loadStateDict({ ...sd, ...changed });
}

describe.each(ADAPTER_METHODS)('%s adapter files', (method) => {
  it('round-trip: written files load into a fresh model and give the same outputs', async () => {
    const model = new TinyEncoder();
    await applyAdapters(model, { method, r: 3, alpha: 6, targetModules: TARGETS, modulesToSave: ['classifier'], seed: 1, sigma: 1e-3 });
    perturb(model, 50);
    const files = await adapterToFiles(model, { baseModelNameOrPath: 'tiny' });
    const cfg = JSON.parse(files['adapter_config.json']);
    expect(cfg).toMatchObject({ peft_type: 'LORA', r: 3, lora_alpha: 6, target_modules: TARGETS, use_dora: METHOD_TRAITS[method].hasMagnitude, modules_to_save: ['classifier'], base_model_name_or_path: 'tiny', task_type: 'SEQ_CLS', bias: 'none' });
    expect(cfg.edora).toBeUndefined(); // PEFT's LoraConfig(**cfg) would raise on a field it lacks
    if (METHOD_TRAITS[method].hasR) expect(JSON.parse(files['reconstr_config.json']!)).toMatchObject({ replacement_module_random_init: false, svd: { rank: 3 }, init_sigma: 1e-3 });
    else expect(files['reconstr_config.json']).toBeUndefined();
    const keys = [...readSafetensors(files['adapter_model.safetensors']).keys()].sort();
    const p = 'base_model.model.roberta.encoder.layer.0.attention.self.query';
    expect(keys).toContain(`${p}.lora_A.weight`);
    expect(keys).toContain(`${p}.lora_B.weight`);
    expect(keys.includes(`${p}.lora_magnitude_vector`)).toBe(METHOD_TRAITS[method].hasMagnitude);
    expect(keys.includes(`${p}_lora_latent_mapping.weight`)).toBe(METHOD_TRAITS[method].hasR);
    expect(keys).toContain('base_model.model.classifier.out_proj.bias');
    expect(keys.length).toBe(2 * 2 * (2 + (METHOD_TRAITS[method].hasR ? 1 : 0) + (METHOD_TRAITS[method].hasMagnitude ? 1 : 0)) + 4);

    const fresh = new TinyEncoder(); // same seeds: same frozen base weights
    const report = await loadAdapterFiles(fresh, files);
    expect(report.config.method).toBe(method);
    const x = randn([4, 8], { seed: 9 });
    expect(maxRelErr(fresh.forward(x).dataSync(), model.forward(x).dataSync())).toBe(0);
    const again = await adapterToFiles(fresh, { baseModelNameOrPath: 'tiny' });
    expect(again['adapter_model.safetensors']).toEqual(files['adapter_model.safetensors']);
    expect(again['adapter_config.json']).toBe(files['adapter_config.json']);
    expect(again['reconstr_config.json']).toBe(files['reconstr_config.json']);
  });
});

describe('adapter folders (Node)', () => {
  it('saveAdapter writes the two files atomically; loadAdapter reads them back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edora-adapter-'));
    try {
      const model = new TinyEncoder();
      await applyAdapters(model, { method: 'edora', r: 2, alpha: 16, targetModules: TARGETS, init: 'random', seed: 3 });
      perturb(model, 70);
      await saveAdapter(model, join(dir, 'out'));
      expect((await readdir(join(dir, 'out'))).sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'reconstr_config.json']);
      const fresh = new TinyEncoder();
      await loadAdapter(fresh, join(dir, 'out'));
      const x = randn([2, 8], { seed: 4 });
      expect(maxRelErr(fresh.forward(x).dataSync(), model.forward(x).dataSync())).toBe(0);
      expect(JSON.parse(await readFile(join(dir, 'out', 'reconstr_config.json'), 'utf8')).replacement_module_random_init).toBe(true);
      await expect(loadAdapter(new TinyEncoder(), join(dir, 'nothing'))).rejects.toThrow(/cannot read .*adapter_config\.json \(ENOENT\)/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/**
 * A file laid out by hand as PEFT (and the EDoRA authors' fork) write it, for the 2-layer model:
 * keys `base_model.model.<path>.lora_A.weight` etc. and a PEFT LoraConfig. The expected outputs
 * are recomputed in float64 from the same numbers by the host reference.
 */
describe('hand-built PEFT files', () => {
  const h = 8;
  const r = 2;
  const alpha = 4;
  const paths = [0, 1].flatMap((i) => ['query', 'value'].map((n) => `roberta.encoder.layer.${i}.attention.self.${n}`));

  async function check(method: 'lora' | 'dora' | 'edora', latentSpelling: 'stripped' | 'default'): Promise<void> {
    const traits = METHOD_TRAITS[method];
    const entries: Record<string, SafetensorsWriteEntry> = {};
    const host = new Map<string, { A: Float64Array; B: Float64Array; R: Float64Array | null; m: Float64Array | null }>();
    paths.forEach((p, i) => {
      const A = noise(r * h, 10 + i);
      const B = noise(h * r, 20 + i);
      const R = traits.hasR ? noise(r * r, 30 + i) : null;
      const m = traits.hasMagnitude ? noise(h, 40 + i).map((v) => 2 + v) : null;
      host.set(p, { A, B, R, m });
      entries[`base_model.model.${p}.lora_A.weight`] = { dtype: 'F32', shape: [r, h], data: A };
      entries[`base_model.model.${p}.lora_B.weight`] = { dtype: 'F32', shape: [h, r], data: B };
      if (R) entries[latentSpelling === 'stripped' ? `base_model.model.${p}_lora_latent_mapping.weight` : `base_model.model.${p}.default_lora_latent_mapping.weight`] = { dtype: 'F32', shape: [r, r], data: R };
      if (m) entries[`base_model.model.${p}.lora_magnitude_vector`] = { dtype: 'F32', shape: [h], data: m };
    });
    const config: Record<string, unknown> = {
      base_model_name_or_path: 'roberta-base', bias: 'none', fan_in_fan_out: false, inference_mode: true, init_lora_weights: true,
      lora_alpha: alpha, lora_dropout: 0.0, modules_to_save: null, peft_type: 'LORA', r, revision: null,
      target_modules: ['value', 'query'], task_type: 'SEQ_CLS', use_dora: traits.hasMagnitude, use_rslora: false,
    };
    if (traits.hasR) config.edora = { method, init: 'svd', sigma: 1e-5 };
    const model = new TinyEncoder(h);
    await loadAdapterFiles(model, { 'adapter_config.json': JSON.stringify(config), 'adapter_model.safetensors': writeSafetensors(entries, { format: 'pt' }) });

    // expected: chain the four adapted layers on the host in float64 (float32-rounded inputs)
    const f32 = (a: Float64Array) => Float64Array.from(Float32Array.from(a));
    const xData = noise(3 * h, 99);
    let y = mat(3, h, f32(xData));
    for (const p of paths) {
      const base = model.getSubmodule(`${p}.base_layer`) as unknown as { weight: { dataSync(): ArrayLike<number> }; bias: { dataSync(): ArrayLike<number> } };
      const f = host.get(p)!;
      y = adaptedForward(y, {
        W: mat(h, h, base.weight.dataSync()), b: Float64Array.from(base.bias.dataSync()),
        A: mat(r, h, f32(f.A)), B: mat(h, r, f32(f.B)), R: f.R ? mat(r, r, f32(f.R)) : null, m: f.m ? f32(f.m) : null, s: alpha / r,
      });
    }
    const head = model.classifier;
    const lin = (l: unknown, z: ReturnType<typeof mat>) => {
      const { weight, bias } = l as { weight: { dataSync(): ArrayLike<number>; shape: readonly number[] }; bias: { dataSync(): ArrayLike<number> } };
      const o = mm(z, tr(mat(weight.shape[0]!, weight.shape[1]!, weight.dataSync())));
      const b = bias.dataSync();
      return mat(o.rows, o.cols, o.data.map((v, k) => v + b[k % o.cols]!));
    };
    const expected = lin(head.out_proj, lin(head.dense, y));
    const got = model.forward(tensor(Float32Array.from(xData), [3, h])).dataSync();
    expect(maxRelErr(got, expected.data)).toBeLessThan(1e-5);
    expect(model.getParameter(`${paths[0]}.lora_A`).requiresGrad).toBe(traits.trainsAB);
  }

  it('a PEFT LoRA file loads and gives the expected outputs', () => check('lora', 'stripped'));
  it('a PEFT DoRA file loads and gives the expected outputs', () => check('dora', 'stripped'));
  it('an EDoRA file with R as `<module>_lora_latent_mapping.weight` loads', () => check('edora', 'stripped'));
  it('an EDoRA file with R as `<module>.default_lora_latent_mapping.weight` loads', () => check('edora', 'default'));
});

describe('files that do not fit', () => {
  it('lists shape mismatches, missing keys and targets the model lacks, and changes nothing', async () => {
    const src = new TinyEncoder(8, 3);
    await applyAdapters(src, { method: 'dora', r: 2, targetModules: TARGETS, seed: 1 });
    const files = await adapterToFiles(src);
    const smaller = new TinyEncoder(8, 2);
    const err = await loadAdapterFiles(smaller, files).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdapterFileError);
    const layer2 = (n: string, k: string) => `unexpected base_model.model.roberta.encoder.layer.2.attention.self.${n}.${k} (no such target in the model)`;
    expect([...(err as AdapterFileError).problems].sort()).toEqual(
      ['query', 'value'].flatMap((n) => [layer2(n, 'lora_A.weight'), layer2(n, 'lora_B.weight'), layer2(n, 'lora_magnitude_vector')]).sort(),
    );
    expect(smaller.namedModules().some(([p]) => p.endsWith('base_layer'))).toBe(false);

    const wider = new TinyEncoder(12, 3);
    const err2 = (await loadAdapterFiles(wider, files).catch((e: unknown) => e)) as AdapterFileError;
    expect(err2.problems).toContain('shape of base_model.model.roberta.encoder.layer.0.attention.self.query.lora_A.weight: model expects [2, 12], file has [2, 8]');
    expect(err2.message).toMatch(/adapter\/adapter_model\.safetensors does not fit the model/);

    const weights = readSafetensors(files['adapter_model.safetensors']);
    const partial: Record<string, SafetensorsWriteEntry> = {};
    for (const [k, v] of weights) if (!k.includes('layer.1.attention.self.value.lora_B')) partial[k] = { dtype: 'F32', shape: v.shape, data: v.data as Float32Array };
    const err3 = (await loadAdapterFiles(new TinyEncoder(8, 3), { ...files, 'adapter_model.safetensors': writeSafetensors(partial) }).catch((e: unknown) => e)) as AdapterFileError;
    expect(err3.problems).toEqual(['missing base_model.model.roberta.encoder.layer.1.attention.self.value.lora_B.weight [8, 2]']);
  });

  it('rejects configs it cannot reproduce and adapters that differ from the model\'s', async () => {
    const src = new TinyEncoder();
    await applyAdapters(src, { method: 'lora', r: 2, targetModules: TARGETS, seed: 1 });
    const files = await adapterToFiles(src);
    const cfg = JSON.parse(files['adapter_config.json']);
    const bad = (over: Record<string, unknown>) => loadAdapterFiles(new TinyEncoder(), { ...files, 'adapter_config.json': JSON.stringify({ ...cfg, ...over }) });
    await expect(bad({ use_rslora: true })).rejects.toThrow(/use_rslora = true is not supported/);
    await expect(bad({ peft_type: 'IA3' })).rejects.toThrow(/peft_type must be "LORA", got "IA3"/);
    await expect(bad({ edora: { method: 'vera' } })).rejects.toThrow(/method must be one of lora, dora, edora, lora-xs/);
    const adapted = new TinyEncoder();
    await applyAdapters(adapted, { method: 'lora', r: 4, targetModules: TARGETS });
    await expect(loadAdapterFiles(adapted, files)).rejects.toThrow(/differ from the file's \(r: model 4, file 2\)/);
  });
});
