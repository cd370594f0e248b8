import { assign, noGrad, readSafetensors, shapeStr, tensor, writeSafetensors, type SafetensorsWriteEntry, type Tensor } from '@edora/tensor';
import { AdapterFileError, listForMessage } from '../errors.js';
import { Linear } from '../linear.js';
import type { Module } from '../module.js';
import { AdaptedLinear } from '../adapters/adapted-linear.js';
import { METHOD_TRAITS, type AdapterMethod } from '../adapters/methods.js';
import { adapterConfigOf, applyAdapters, type AdapterConfig } from '../adapters/apply.js';
import { matchesTarget } from '../adapters/targets.js';
import { adapterConfigJson, readPeftAdapterConfig, type AdapterConfigJsonOptions } from './adapter-config.js';
import { ADAPTER_KEY_SUFFIX, adapterFileKey, canonicalFileKey, peftImplicitModulesToSave, savedModuleFileKey } from './peft-keys.js';
import { RECONSTR_CONFIG_FILE, reconstrConfigJson } from './reconstr-config.js';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';

/**
 * The files of a PEFT adapter, in memory (browser-safe; `@edora/layers/node` writes folders):
 * PEFT's two, plus for EDoRA and LoRA-XS the authors' side file `reconstr_config.json`.
 */
export interface AdapterFiles {
  'adapter_config.json': string;
  'adapter_model.safetensors': Uint8Array;
  'reconstr_config.json'?: string;
}

/** Which tensors an adapter file holds for a model, with their file keys and expected shapes. */
interface Slot {
  key: string;
  shape: readonly number[];
  /** the model's parameter, once adapters exist */
  param?: Tensor;
  /** Path of a module PEFT saves unasked (the SEQ_CLS head): loaded when the file has it. */
  implicit?: string;
}

/**
 * The file layout implied by a config and a model: adapter factors of every target Linear (adapted
 * or not yet), every parameter of the modules to save, then those of the `implicit` modules
 * PEFT saves without their being listed. Works before injection so a load can be checked before
 * anything changes.
 */
function layout(model: Module, config: AdapterConfig, implicit: readonly string[] = []): Slot[] {
  const traits = METHOD_TRAITS[config.method];
  const slots: Slot[] = [];
  for (const [path, m] of model.namedModules()) {
    if (path === '' || !matchesTarget(path, config.targetModules)) continue;
    if (!(m instanceof Linear || m instanceof AdaptedLinear)) continue;
    const { inFeatures: inF, outFeatures: out } = m;
    const r = config.r;
    const own = (name: string): Tensor | undefined => (m instanceof AdaptedLinear ? (m.ownParameter(name) ?? undefined) : undefined);
    slots.push({ key: adapterFileKey(path, 'lora_A'), shape: [r, inF], param: own('lora_A') });
    slots.push({ key: adapterFileKey(path, 'lora_B'), shape: [out, r], param: own('lora_B') });
    if (traits.hasR) slots.push({ key: adapterFileKey(path, 'lora_latent_mapping'), shape: [r, r], param: own('lora_latent_mapping') });
    if (traits.hasMagnitude) slots.push({ key: adapterFileKey(path, 'lora_magnitude_vector'), shape: [out], param: own('lora_magnitude_vector') });
  }
  const saved = new Set<string>();
  for (const [targets, isImplicit] of [[config.modulesToSave, false], [implicit, true]] as const) {
    for (const [path] of model.namedModules()) {
      if (path === '' || !matchesTarget(path, targets) || saved.has(path)) continue;
      saved.add(path);
      for (const [name, p] of model.getSubmodule(path).namedParameters(path)) {
        slots.push({ key: savedModuleFileKey(name), shape: p.shape, param: p, ...(isImplicit ? { implicit: path } : {}) });
      }
    }
  }
  return slots;
}

/**
 * The adapter of a model (after `applyAdapters` or `loadAdapterFiles`) as PEFT writes it: float32
 * tensors under PEFT's keys, a LoraConfig, and for EDoRA / LoRA-XS the authors' side file. For
 * task type SEQ_CLS (the default) the classification head is saved whether or not it is in
 * `modulesToSave`, as PEFT saves it. Reads tensors back from the backend.
 */
export async function adapterToFiles(model: Module, options: AdapterConfigJsonOptions = {}): Promise<AdapterFiles> {
  const config = adapterConfigOf(model);
  if (!config) throw new AdapterFileError('adapterToFiles: the model has no adapters (call applyAdapters or loadAdapterFiles first)');
  const entries: Record<string, SafetensorsWriteEntry> = {};
  for (const slot of layout(model, config, peftImplicitModulesToSave(options.taskType ?? 'SEQ_CLS', config.modulesToSave))) {
    if (!slot.param) throw new AdapterFileError(`adapterToFiles: ${slot.key} has no tensor in the model`);
    entries[slot.key] = { dtype: 'F32', shape: slot.param.shape, data: await slot.param.data() as ArrayLike<number> };
  }
  const files: AdapterFiles = {
    'adapter_config.json': `${JSON.stringify(adapterConfigJson(config, options), null, 2)}\n`,
    'adapter_model.safetensors': writeSafetensors(entries, { format: 'pt' }),
  };
  if (METHOD_TRAITS[config.method].hasR) files[RECONSTR_CONFIG_FILE] = `${JSON.stringify(reconstrConfigJson(config), null, 2)}\n`;
  return files;
}

export interface LoadAdapterReport {
  config: AdapterConfig;
  /** File keys loaded, in file order. */
  loaded: string[];
  /** The side file `reconstr_config.json` read, if any (a path for folders). */
  sideFile?: string;
}

export interface LoadAdapterOptions {
  /** Names the files in messages (the Node entry passes the folder). */
  source?: string;
  /**
   * The method, when you know it. Without it: the `edora` field of older files of ours, else
   * EDoRA / LoRA-XS when the weights hold latent matrices or a side file is there, else DoRA /
   * LoRA by `use_dora`.
   */
  method?: AdapterMethod;
  /** Where `files['reconstr_config.json']` came from, for messages and the report. */
  sideFileSource?: string;
}

/**
 * Loads PEFT adapter files into a model. A model without adapters gets them injected from the
 * file's config (factors are then overwritten, so no SVD runs); a model with adapters must have
 * the same method, rank and alpha. Every key and shape is checked before anything changes: a
 * missing key, an unexpected key (a target the model lacks) or a shape that differs is an
 * `AdapterFileError` listing them all. As PEFT does for task type SEQ_CLS, the head
 * (`classifier`, `score`) is loaded and made trainable when the file has it, listed or not.
 */
export async function loadAdapterFiles(model: Module, files: AdapterFiles, options: LoadAdapterOptions = {}): Promise<LoadAdapterReport> {
  const source = options.source ?? 'adapter';
  const weightsSource = `${source}/${ADAPTER_WEIGHTS_FILE}`;
  const file = readSafetensors(files['adapter_model.safetensors'], { source: weightsSource });
  const values = new Map([...file].map(([k, v]) => [canonicalFileKey(k), v]));
  const sideText = files[RECONSTR_CONFIG_FILE];
  const sideFile = sideText === undefined ? undefined : (options.sideFileSource ?? `${source}/${RECONSTR_CONFIG_FILE}`);
  const { config, taskType } = readPeftAdapterConfig(files['adapter_config.json'], `${source}/${ADAPTER_CONFIG_FILE}`, {
    method: options.method,
    hasLatent: [...values.keys()].some((k) => k.endsWith(ADAPTER_KEY_SUFFIX.lora_latent_mapping!)),
    ...(sideFile ? { reconstrConfig: { text: sideText!, source: sideFile } } : {}),
  });
  const existing = adapterConfigOf(model);
  if (existing) {
    const diffs = (['method', 'r', 'alpha'] as const).filter((k) => existing[k] !== config[k]).map((k) => `${k}: model ${existing[k]}, file ${config[k]}`);
    if (diffs.length) throw new AdapterFileError(`${source}: the model's adapters differ from the file's (${diffs.join('; ')})`, diffs);
  }
  const implicit = peftImplicitModulesToSave(taskType, config.modulesToSave);
  const all = layout(model, config, implicit);
  // an implicit module is loaded when the file has any of its keys (then it must have them all)
  const heads = new Set(all.filter((s) => s.implicit && values.has(s.key)).map((s) => s.implicit!));
  const slots = all.filter((s) => !s.implicit || heads.has(s.implicit));
  const problems: string[] = [];
  const expected = new Set(slots.map((s) => s.key));
  for (const s of slots) {
    const v = values.get(s.key);
    if (!v) problems.push(`missing ${s.key} ${shapeStr(s.shape)}`);
    else if (shapeStr(v.shape) !== shapeStr(s.shape)) problems.push(`shape of ${s.key}: model expects ${shapeStr(s.shape)}, file has ${shapeStr(v.shape)}`);
  }
  for (const k of values.keys()) if (!expected.has(k)) problems.push(`unexpected ${k} (no such target in the model)`);
  if (problems.length) {
    throw new AdapterFileError(`${weightsSource} does not fit the model: ${listForMessage(problems)}`, problems);
  }
  if (!existing) {
    // factors are overwritten below: take the cheapest init (no SVD)
    await applyAdapters(model, { ...config, init: METHOD_TRAITS[config.method].hasR ? 'random' : 'kaiming', seed: 0 });
  }
  const filled = layout(model, config, implicit).filter((s) => !s.implicit || heads.has(s.implicit));
  for (const path of heads) model.getSubmodule(path).requiresGrad_(true);
  noGrad(() => {
    for (const s of filled) {
      const v = values.get(s.key)!;
      assign(s.param!, tensor(v.data, v.shape, { backend: s.param!.backend, dtype: s.param!.dtype }));
    }
  });
  for (const [, m] of model.namedModules()) if (m instanceof AdaptedLinear) m.invalidateCaches();
  const stored = adapterConfigOf(model)!;
  stored.init = config.init;
  stored.sigma = config.sigma;
  delete stored.seed;
  return { config: stored, loaded: [...file.keys()], ...(sideFile ? { sideFile } : {}) };
}
