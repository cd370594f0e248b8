import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskSpec, Tokenizer } from '@edora/glue';
import { applyAdapters, countParameters, type AdapterReport, type Module } from '@edora/layers';
import {
  byteLevelTokenizer, maxSequenceLength, parseRobertaConfig, RobertaForSequenceClassification, ROBERTA_ADAPTER_TARGETS, ROBERTA_PRESETS, headAndAdapterGroups, isRobertaPreset, robertaPreset, sequenceClassifierOf, type RobertaConfig,
} from '@edora/models';
import { fromPretrained, loadTokenizer } from '@edora/models/node';
import { manualSeed } from '@edora/tensor';
import type { ParamGroup, SequenceClassifier } from '@edora/train';
import { parseWordList, wordTokenizer, WORDS_FILE } from '@edora/demo';
import { UsageError } from './args.js';

/** Target modules of the EDoRA setup (SEMANTICS.md): 4 Linear layers per RoBERTa encoder layer. */
export const EDORA_TARGETS = ROBERTA_ADAPTER_TARGETS;
export const METHODS = ['edora', 'dora', 'lora', 'lora-xs', 'full'] as const;
export type Method = (typeof METHODS)[number];

export interface ModelOptions {
  /** A preset name or a model folder. */
  model: string;
  method: Method;
  rank: number;
  alpha: number;
  sigma: number;
  init: 'svd' | 'random';
  seed: number;
  numLabels: number;
  /** Modules that get adapters (PEFT's target_modules); absent: the EDoRA setup's four per layer. */
  targetModules?: string[];
  /** Dropout on each adapter's input (PEFT's lora_dropout); absent: 0, as the EDoRA setup. */
  loraDropout?: number;
}

export interface BuiltModel {
  model: RobertaForSequenceClassification;
  tokenizer: Tokenizer;
  classifier: SequenceClassifier;
  groups: (lr: number, headLr: number) => ParamGroup[];
  adapters: AdapterReport | null;
  trainable: number;
  /** Where the weights came from, for results. */
  source: string;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** The word list of a folder whose tokenizer is word-level (the demo's pretrained base), or null. */
async function readWords(dir: string): Promise<string[] | null> {
  const path = join(dir, WORDS_FILE);
  const text = await readFile(path, 'utf8').catch(() => null);
  return text === null ? null : parseWordList(text, `--model: ${path}`);
}

/**
 * The base model: a preset with seeded random weights (the byte-level tokenizer, which the `tiny`
 * preset's vocabulary was sized for), or a local HF model folder (with its BPE tokenizer, or the
 * word-level one when it holds a word list, as the demo's pretrained base does).
 */
async function baseModel(o: ModelOptions): Promise<{ model: RobertaForSequenceClassification; tokenizer: Tokenizer; source: string }> {
  if (await isDir(o.model)) {
    const { model } = await fromPretrained(o.model, { numLabels: o.numLabels, seed: o.seed });
    model.train(true);
    const words = await readWords(o.model);
    if (words) return { model, tokenizer: wordTokenizer(words), source: `${o.model} (word-level tokenizer, ${words.length} words)` };
    return { model, tokenizer: await loadTokenizer(o.model), source: o.model };
  }
  if (!isRobertaPreset(o.model)) {
    throw new UsageError(`--model: ${JSON.stringify(o.model)} is neither a model folder nor a preset; valid presets: ${ROBERTA_PRESETS.join(', ')}`);
  }
  const model = new RobertaForSequenceClassification(robertaPreset(o.model, { numLabels: o.numLabels }), { seed: o.seed });
  return { model, tokenizer: byteLevelTokenizer(), source: `preset ${o.model} (random weights, byte-level tokenizer)` };
}

/** The base's configuration alone (a preset's, or the folder's config.json), without loading weights. */
async function baseConfig(model: string): Promise<{ config: RobertaConfig; name: string } | null> {
  if (await isDir(model)) {
    const path = join(model, 'config.json');
    const text = await readFile(path, 'utf8').catch(() => null);
    return text === null ? null : { config: parseRobertaConfig(text, { source: path }), name: `the model in ${model}` };
  }
  return isRobertaPreset(model) ? { config: robertaPreset(model), name: `the ${model} model` } : null;
}

/**
 * Checks what the option ranges alone cannot, before data or weights are loaded: the rank against
 * the adapted matrices (every target is hidden × hidden or hidden × intermediate, so r ≤ hidden
 * size) and the sequence length against the position table. A model that cannot be read is left
 * to `buildModel`, which says why.
 */
export async function checkModelFits(o: { model: string; method: Method; rank: number; maxSeqLength?: number }): Promise<void> {
  const base = await baseConfig(o.model);
  if (!base) return;
  const { config, name } = base;
  if (o.method !== 'full' && o.rank > config.hiddenSize) {
    throw new UsageError(`--rank: expected at most ${config.hiddenSize} for ${name} (its hidden size); found ${o.rank}`);
  }
  const longest = maxSequenceLength(config);
  if (o.maxSeqLength !== undefined && o.maxSeqLength > longest) {
    throw new UsageError(`--max-seq-length: expected at most ${longest} for ${name} (its position table); found ${o.maxSeqLength}`);
  }
}

/** Trainable parameters split as the authors do: the classifier head at its own lr, everything else at the adapter lr. */
export function groupsOf(model: Module, lr: number, headLr: number): ParamGroup[] {
  return headAndAdapterGroups(model, lr, headLr);
}

/** Builds the model, injects the method's adapters (the head stays trainable), seeded. */
export async function buildModel(o: ModelOptions): Promise<BuiltModel> {
  manualSeed(o.seed);
  const { model, tokenizer, source } = await baseModel(o);
  let adapters: AdapterReport | null = null;
  if (o.method === 'full') {
    model.requiresGrad_(true);
  } else {
    const init = o.method === 'edora' || o.method === 'lora-xs' ? o.init : undefined;
    adapters = await applyAdapters(model, {
      method: o.method, r: o.rank, alpha: o.alpha, sigma: o.sigma, init, seed: o.seed,
      targetModules: o.targetModules ?? [...EDORA_TARGETS], modulesToSave: ['classifier'],
      ...(o.loraDropout === undefined ? {} : { dropout: o.loraDropout }),
    });
  }
  model.train(true);
  const trainable = countParameters(model).trainable;
  return { model, tokenizer, classifier: sequenceClassifierOf(model), groups: (lr, headLr) => groupsOf(model, lr, headLr), adapters, trainable, source };
}

export function numLabelsOf(spec: TaskSpec): number {
  return spec.kind === 'regression' ? 1 : spec.labelNames.length;
}
