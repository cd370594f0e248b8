import { modelToFiles, RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { getBackend } from '@edora/tensor';
import { pretrainAnimalRoles, pretrainingSentences, syntheticVocabulary } from './pretraining.js';
import { wordTokenizer, WORDS_FILE } from './word-tokenizer.js';

/** What the pretraining was; a cached base is reused only when its record matches. */
export const DEMO_RECORD_FILE = 'pretraining.json';
/** The pretraining's objective and corpus; a new one here makes older cached bases stale. */
export const DEMO_BASE_OBJECTIVE = 'animal-pair-v2';

export interface DemoBaseSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Sentences pretrained on. */
  sentences: number;
}

/** The demo's pretraining as `edora demo` runs it by default (its --pretrain-* options change it). */
export const DEFAULT_DEMO_BASE: Readonly<DemoBaseSettings> = Object.freeze({ epochs: 6, batchSize: 32, lr: 3e-3, seed: 1, sentences: 3000 });

/** `pretraining.json`: how a base was made. */
export interface DemoBaseRecord {
  objective: string;
  /** Mean loss of the last pretraining epoch. */
  loss: number;
  seconds: number;
  backend: string;
  settings: DemoBaseSettings;
}

export interface PretrainedDemoBase {
  /** A 2-label classifier: the encoder as pretrained, a fresh seeded head. */
  model: RobertaForSequenceClassification;
  /** The word-level tokenizer's vocabulary (`words.json`). */
  vocabulary: string[];
  record: DemoBaseRecord;
}

export interface DemoBaseHooks {
  onEpoch?: (epoch: number, loss: number) => void;
  onStep?: (step: number, totalSteps: number, loss: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * The demo's base: the `tiny` preset pretrained from random weights on synthetic sentences to
 * name their two animals (see `pretrainAnimalRoles`), on the current backend, returned as a
 * 2-label classifier with a fresh seeded head (the pretraining's 100-way head answers another
 * question and is dropped, as a real base's MLM head is).
 */
export async function pretrainDemoBase(settings: DemoBaseSettings, hooks: DemoBaseHooks = {}): Promise<PretrainedDemoBase> {
  const started = (globalThis.performance?.now() ?? Date.now()) / 1000;
  const vocabulary = syntheticVocabulary();
  const sentences = pretrainingSentences(settings.sentences, settings.seed);
  const { model: pretrained, loss } = await pretrainAnimalRoles({ ...settings, ...hooks, sentences, tokenizer: wordTokenizer(vocabulary) });
  const model = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 2 }), { seed: settings.seed });
  model.loadStateDict(new Map(pretrained.namedParameters().filter(([name]) => name.startsWith('roberta.'))), { strict: false });
  // values were copied: free the pretraining's own weights (its 100-way head included)
  for (const p of pretrained.parameters()) p.dispose();
  const seconds = (globalThis.performance?.now() ?? Date.now()) / 1000 - started;
  return { model, vocabulary, record: { objective: DEMO_BASE_OBJECTIVE, loss, seconds, backend: getBackend().name, settings: { ...settings } } };
}

/**
 * The base as a model folder `--model` accepts: config.json, model.safetensors, words.json and,
 * last (a folder without it is an interrupted write), pretraining.json.
 */
export async function demoBaseFiles(base: PretrainedDemoBase): Promise<Map<string, Uint8Array | string>> {
  const files = await modelToFiles(base.model);
  files.set(WORDS_FILE, JSON.stringify(base.vocabulary) + '\n');
  files.set(DEMO_RECORD_FILE, JSON.stringify(base.record, null, 2) + '\n');
  return files;
}

/** The record of a cached base when it was made by this objective with these settings, else null. */
export function matchingDemoRecord(text: string | null, settings: DemoBaseSettings): DemoBaseRecord | null {
  if (text === null) return null;
  try {
    const record = JSON.parse(text) as DemoBaseRecord;
    return record.objective === DEMO_BASE_OBJECTIVE && JSON.stringify(record.settings) === JSON.stringify(settings) ? record : null;
  } catch {
    return null;
  }
}
