import { parseWordList, wordTokenizer, WORDS_FILE } from '@edora/demo';
import type { Tokenizer } from '@edora/glue';
import {
  checkpointSourceOf, CONFIG_FILE, parseRobertaConfig, pretrainedFromFolder, tokenizerOfFolder,
  type ModelFolder, type RobertaConfig, type RobertaForSequenceClassification,
} from '@edora/models';

/** What the page shows of a model before anything is trained. */
export interface ModelSummary {
  /** Where it came from ("demo base", a dropped folder's name). */
  source: string;
  architecture: string;
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocabulary: number;
  /** Every number in the folder's weights (the checkpoint's head included, if any). */
  parameters: number;
  tokenizer: string;
}

const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The folder's word list when its tokenizer is word-level (the demo base's), else null. */
async function wordsOf(folder: ModelFolder): Promise<string[] | null> {
  if (!folder.files.includes(WORDS_FILE)) return null;
  return parseWordList(decode(await folder.readBytes(WORDS_FILE)), folder.pathOf(WORDS_FILE));
}

async function configOf(folder: ModelFolder): Promise<{ config: RobertaConfig; architecture: string }> {
  const text = decode(await folder.readBytes(CONFIG_FILE));
  const config = parseRobertaConfig(text, { source: folder.pathOf(CONFIG_FILE) });
  const raw = JSON.parse(text) as { architectures?: unknown };
  const architecture = Array.isArray(raw.architectures) && typeof raw.architectures[0] === 'string' ? raw.architectures[0] : 'RobertaModel';
  return { config, architecture };
}

/**
 * Describes a model folder from its config and the weights' headers alone (no weight is read), so
 * a dropped roberta-base is summarized at once. Errors are the loaders' own (file named).
 */
export async function summarizeFolder(folder: ModelFolder, source: string): Promise<ModelSummary> {
  const { config, architecture } = await configOf(folder);
  const weights = await checkpointSourceOf(folder);
  let parameters = 0;
  try {
    for (const t of weights.tensors.values()) parameters += t.shape.reduce((a, b) => a * b, 1);
  } finally {
    await weights.close();
  }
  const words = await wordsOf(folder);
  const tokenizer = words
    ? `word-level, ${words.length} words (${WORDS_FILE})`
    : folder.files.includes('tokenizer.json') ? 'byte-level BPE (tokenizer.json)' : 'byte-level BPE (vocab.json + merges.txt)';
  if (!words) await tokenizerOfFolder(folder); // a folder without a readable tokenizer fails here, before training
  return {
    source, architecture, layers: config.numHiddenLayers, hidden: config.hiddenSize, heads: config.numAttentionHeads,
    intermediate: config.intermediateSize, vocabulary: config.vocabSize, parameters, tokenizer,
  };
}

export interface LoadedBase {
  model: RobertaForSequenceClassification;
  tokenizer: Tokenizer;
}

/**
 * The folder's model as a sequence classifier with `numLabels` outputs (a head the checkpoint lacks
 * gets HF's seeded init) and its tokenizer: word-level when the folder has `words.json`, as the
 * CLI reads the demo base, else the folder's BPE tokenizer.
 */
export async function loadBase(folder: ModelFolder, numLabels: number, seed: number): Promise<LoadedBase> {
  const { model } = await pretrainedFromFolder(folder, { numLabels, seed });
  const words = await wordsOf(folder);
  return { model, tokenizer: words ? wordTokenizer(words) : await tokenizerOfFolder(folder) };
}
