import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { saveModel } from '@edora/models/node';
import { getBackend } from '@edora/tensor';
import { pretrainAnimalRoles, pretrainingSentences, syntheticVocabulary } from './demo-pretraining.js';
import { wordTokenizer, WORDS_FILE } from './word-tokenizer.js';

/** What the pretraining was; a cached base is reused only when it matches. */
const RECORD_FILE = 'pretraining.json';
/** The pretraining's objective and corpus; a new one here makes older cached bases stale. */
const OBJECTIVE = 'animal-pair-v2';

export interface DemoBaseSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Sentences pretrained on. */
  sentences: number;
}

export interface DemoBase {
  dir: string;
  /** True when the folder already held this pretraining and nothing was trained. */
  cached: boolean;
  /** Mean loss of the last pretraining epoch. */
  loss: number;
  seconds: number;
  backend: string;
  settings: DemoBaseSettings;
}

async function readCached(dir: string, settings: DemoBaseSettings): Promise<DemoBase | null> {
  try {
    const record = JSON.parse(await readFile(join(dir, RECORD_FILE), 'utf8')) as DemoBase;
    const same = (record as { objective?: string }).objective === OBJECTIVE && JSON.stringify(record.settings) === JSON.stringify(settings);
    return same ? { ...record, dir, cached: true } : null;
  } catch {
    return null;
  }
}

/**
 * The demo's pretrained base in `dir`, a model folder `--model` accepts (config.json,
 * model.safetensors, words.json): the `tiny` preset pretrained from random weights on synthetic
 * sentences (see demo-pretraining.ts), with a word-level tokenizer. Reused when `dir` already holds
 * the same pretraining, so only the first demo pays for it.
 */
export async function demoBase(dir: string, settings: DemoBaseSettings, onEpoch?: (epoch: number, loss: number) => void): Promise<DemoBase> {
  const cached = await readCached(dir, settings);
  if (cached) return cached;
  const started = Date.now();
  const sentences = pretrainingSentences(settings.sentences, settings.seed);
  const vocabulary = syntheticVocabulary();
  const { model: pretrained, loss } = await pretrainAnimalRoles({ ...settings, sentences, tokenizer: wordTokenizer(vocabulary), onEpoch });
  // saved as a 2-label classifier: the encoder as pretrained, a fresh seeded head (the
  // pretraining's 100-way head answers another question and is dropped, as a real base's MLM head)
  const base = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 2 }), { seed: settings.seed });
  base.loadStateDict(new Map(pretrained.namedParameters().filter(([name]) => name.startsWith('roberta.'))), { strict: false });
  await saveModel(base, dir);
  await writeFile(join(dir, WORDS_FILE), JSON.stringify(vocabulary) + '\n');
  const result: DemoBase = { dir, cached: false, loss, seconds: (Date.now() - started) / 1000, backend: getBackend().name, settings };
  // written last: a folder without it (an interrupted run) is pretrained again
  await writeFile(join(dir, RECORD_FILE), JSON.stringify({ objective: OBJECTIVE, loss, seconds: result.seconds, backend: result.backend, settings }, null, 2) + '\n');
  return result;
}
