import { ArgumentError } from '@edora/tensor';
import { robertaConfig, type RobertaConfig } from './config/roberta-config.js';
import { BYTE_LEVEL_IDS } from './tokenizer/byte-level.js';

/**
 * Named RoBERTa configs. `roberta-base` and `roberta-large` are the shapes of HF's checkpoints of
 * those names (their config.json values); `tiny` is ours: small enough to train on a CPU in seconds,
 * with exactly the vocabulary of `byteLevelTokenizer()` (256 byte tokens plus RoBERTa's specials),
 * so it needs no tokenizer files.
 */
const PRESETS = {
  'roberta-base': {
    vocabSize: 50265,
    hiddenSize: 768,
    numHiddenLayers: 12,
    numAttentionHeads: 12,
    intermediateSize: 3072,
    maxPositionEmbeddings: 514,
    typeVocabSize: 1,
    layerNormEps: 1e-5,
  },
  'roberta-large': {
    vocabSize: 50265,
    hiddenSize: 1024,
    numHiddenLayers: 24,
    numAttentionHeads: 16,
    intermediateSize: 4096,
    maxPositionEmbeddings: 514,
    typeVocabSize: 1,
    layerNormEps: 1e-5,
  },
  tiny: {
    // byteLevelTokenizer()'s ids: <s> <pad> </s> <unk>, the 256 bytes, <mask>.
    vocabSize: BYTE_LEVEL_IDS.mask + 1,
    hiddenSize: 64,
    numHiddenLayers: 2,
    numAttentionHeads: 4,
    intermediateSize: 128,
    // 128 tokens after the 2 reserved positions (pad_token_id + 1).
    maxPositionEmbeddings: 130,
    typeVocabSize: 1,
    layerNormEps: 1e-5,
  },
} satisfies Record<string, Partial<RobertaConfig>>;

export type RobertaPresetName = keyof typeof PRESETS;

export const ROBERTA_PRESETS: readonly RobertaPresetName[] = Object.keys(PRESETS) as RobertaPresetName[];

export function isRobertaPreset(name: string): name is RobertaPresetName {
  return Object.hasOwn(PRESETS, name);
}

/** The config of a preset, with optional overrides (e.g. `{ numLabels: 3 }`), validated. */
export function robertaPreset(name: RobertaPresetName | (string & {}), overrides: Partial<RobertaConfig> = {}): RobertaConfig {
  if (!isRobertaPreset(name)) {
    throw new ArgumentError(`unknown RoBERTa preset ${JSON.stringify(name)}; valid choices: ${ROBERTA_PRESETS.join(', ')}`);
  }
  return robertaConfig({ ...PRESETS[name], ...overrides }, `preset ${name}`);
}
