import type { RandomizedSvdOptions } from '@edora/linalg';
import { formatValue } from '@edora/tensor';
import { AdapterConfigError, listForMessage } from '../errors.js';
import { Linear } from '../linear.js';
import type { Module } from '../module.js';
import { AdaptedLinear } from './adapted-linear.js';
import { initFactors } from './init-factors.js';
import { checkInit, checkMethod, defaultInit, type AdapterInit, type AdapterMethod, type NormPath } from './methods.js';
import { compileTargetPattern } from './target-pattern.js';
import { matchesTarget } from './targets.js';

export interface AdapterOptions {
  method: AdapterMethod;
  r: number;
  /** s = alpha / r; default 8 (PEFT's default lora_alpha). The EDoRA setup uses 16. */
  alpha?: number;
  /** Dropout on the adapter input (lora_dropout), default 0. */
  dropout?: number;
  /** Suffixes (PEFT list semantics) or one regular expression matched against whole module paths. */
  targetModules: string | readonly string[];
  /** Modules kept fully trainable and saved with the adapter (e.g. ['classifier']). */
  modulesToSave?: readonly string[];
  /** Default 'svd' for EDoRA/LoRA-XS, 'kaiming' for LoRA/DoRA. */
  init?: AdapterInit;
  /** σ of R ~ N(0, σ²), default 1e-5. */
  sigma?: number;
  /** Seeds every random factor (one stream, consumed in module order); default: the default stream. */
  seed?: number;
  /** Options for the SVD init, over EDORA_SVD_DEFAULTS (the reference's settings). */
  svd?: RandomizedSvdOptions;
  /** EDoRA row-norm path, default 'fast'. */
  normPath?: NormPath;
}

/** The options after defaults and validation; what adapter files record. */
export interface AdapterConfig {
  method: AdapterMethod;
  r: number;
  alpha: number;
  dropout: number;
  targetModules: string | string[];
  modulesToSave: string[];
  init: AdapterInit;
  sigma: number;
  seed?: number;
}

export interface AdaptedModuleReport {
  path: string;
  inFeatures: number;
  outFeatures: number;
  /** trainable adapter numbers in this module */
  trainable: number;
}

export interface AdapterReport {
  config: AdapterConfig;
  modules: AdaptedModuleReport[];
  /** Paths of the modules kept trainable by `modulesToSave`. */
  modulesToSave: string[];
  trainable: number;
  frozen: number;
  total: number;
}

const configs = new WeakMap<Module, AdapterConfig>();

/** The adapter config `applyAdapters` (or `loadAdapter`) attached to a model, if any. */
export function adapterConfigOf(model: Module): AdapterConfig | undefined {
  return configs.get(model);
}

export function resolveAdapterOptions(o: AdapterOptions): AdapterConfig {
  const method = checkMethod(o.method);
  if (!(Number.isInteger(o.r) && o.r > 0)) throw new AdapterConfigError(`r must be a positive integer, got ${formatValue(o.r)}`);
  const alpha = o.alpha ?? 8;
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new AdapterConfigError(`alpha must be a positive number, got ${formatValue(alpha)}`);
  const dropout = o.dropout ?? 0;
  if (!(typeof dropout === 'number' && dropout >= 0 && dropout < 1)) throw new AdapterConfigError(`dropout must be in [0, 1), got ${formatValue(dropout)}`);
  const sigma = o.sigma ?? 1e-5;
  if (!(Number.isFinite(sigma) && sigma >= 0)) throw new AdapterConfigError(`sigma must be a non-negative number, got ${formatValue(sigma)}`);
  const t = o.targetModules;
  const listOk = Array.isArray(t) && t.length > 0 && t.every((s) => typeof s === 'string' && s.length > 0);
  if (!(listOk || (typeof t === 'string' && t.length > 0))) {
    throw new AdapterConfigError(`targetModules: expected a non-empty list of module-name suffixes or a regular expression; found ${formatValue(t)}`);
  }
  if (typeof t === 'string') compileTargetPattern(t); // an unsupported pattern fails here, typed
  const saved = o.modulesToSave ?? [];
  if (!(Array.isArray(saved) && saved.every((s) => typeof s === 'string' && s.length > 0))) {
    throw new AdapterConfigError(`modulesToSave: expected a list of module names; found ${formatValue(saved)}`);
  }
  const config: AdapterConfig = {
    method,
    r: o.r,
    alpha,
    dropout,
    targetModules: typeof t === 'string' ? t : [...t],
    modulesToSave: [...saved],
    init: checkInit(method, o.init ?? defaultInit(method)),
    sigma,
  };
  if (o.seed !== undefined) config.seed = o.seed;
  return config;
}

/**
 * Injects adapters into every Linear whose path matches `targetModules` (PEFT's rule), freezes
 * every other parameter, keeps `modulesToSave` trainable, and reports what it did. A module that
 * matches twice is adapted once. Async because EDoRA's SVD init reads results back.
 */
export async function applyAdapters(model: Module, options: AdapterOptions): Promise<AdapterReport> {
  const config = resolveAdapterOptions(options);
  if (configs.has(model)) throw new AdapterConfigError('applyAdapters: this model already has adapters; call mergeAndUnload first or build a fresh model');
  const all = model.namedModules();
  const linears = all.filter(([p, m]) => p !== '' && m instanceof Linear).map(([p]) => p);
  const matched = all.filter(([p]) => p !== '' && matchesTarget(p, config.targetModules));
  if (matched.length === 0) {
    throw new AdapterConfigError(
      `applyAdapters: no module matches targetModules ${JSON.stringify(config.targetModules)}; Linear modules are: ${listForMessage(linears, 60) || '(none)'}`,
    );
  }
  const notLinear = matched.filter(([, m]) => !(m instanceof Linear));
  if (notLinear.length) {
    throw new AdapterConfigError(
      `applyAdapters: targets must be Linear modules, but these matches are not: ${notLinear.map(([p, m]) => `${p} (${m.constructor.name})`).join(', ')}`,
    );
  }
  const saved = config.modulesToSave.map((t) => {
    const hits = all.filter(([p]) => p !== '' && matchesTarget(p, [t])).map(([p]) => p);
    if (!hits.length) throw new AdapterConfigError(`applyAdapters: modulesToSave entry "${t}" matches no module; top-level modules are: ${model.namedChildren().map(([n]) => n).join(', ')}`);
    return hits;
  });

  model.requiresGrad_(false);
  const modules: AdaptedModuleReport[] = [];
  let offset = 0;
  for (const [path, m] of matched) {
    const base = m as Linear;
    const { factors, used } = await initFactors(base.weight, { method: config.method, r: config.r, init: config.init, sigma: config.sigma, seed: config.seed, offset, svd: options.svd });
    offset += used;
    const adapted = new AdaptedLinear(base, factors, { method: config.method, r: config.r, alpha: config.alpha, dropout: config.dropout, normPath: options.normPath });
    adapted.training = base.training;
    model.setSubmodule(path, adapted);
    modules.push({ path, inFeatures: base.inFeatures, outFeatures: base.outFeatures, trainable: sumSizes(adapted.parameters().filter((p) => p.requiresGrad)) });
  }
  const savedPaths = [...new Set(saved.flat())];
  for (const p of savedPaths) model.getSubmodule(p).requiresGrad_(true);
  configs.set(model, config);
  const params = model.parameters();
  const trainable = sumSizes(params.filter((p) => p.requiresGrad));
  const total = sumSizes(params);
  return { config, modules, modulesToSave: savedPaths, trainable, frozen: total - trainable, total };
}

/** Forgets the adapter config of a model (after mergeAndUnload). */
export function clearAdapterConfig(model: Module): void {
  configs.delete(model);
}

/** Records a config for a model whose adapters were built another way (loading). */
export function setAdapterConfig(model: Module, config: AdapterConfig): void {
  configs.set(model, config);
}

function sumSizes(ts: readonly { size: number }[]): number {
  return ts.reduce((s, t) => s + t.size, 0);
}
