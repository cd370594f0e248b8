import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ArgumentError, CpuBackend, useBackend } from '@edora/tensor';
import {
  byteLevelTokenizer, ConfigError, maxSequenceLength, parseRobertaConfig, RobertaClassificationHead, robertaConfigToJson, robertaPreset, ROBERTA_PRESETS,
  withLabels,
} from '../src/index.js';
import { fixture, SHARED_TINY_MLM, sharedTinyMlmExists } from './helpers.js';

const base = JSON.parse(readFileSync(fixture('config.json'), 'utf8')) as Record<string, unknown>;
const variant = (edit: Record<string, unknown>, drop: string[] = []): Record<string, unknown> => {
  const c = { ...base, ...edit };
  for (const k of drop) delete c[k];
  return c;
};
function configError(json: Record<string, unknown> | string): ConfigError {
  try {
    parseRobertaConfig(json);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('RobertaConfig from HF config.json', () => {
  it('reads every field of the fixture config', () => {
    const c = parseRobertaConfig(JSON.stringify(base));
    expect(c).toMatchObject({
      vocabSize: 320, hiddenSize: 32, numHiddenLayers: 2, numAttentionHeads: 4, intermediateSize: 64, maxPositionEmbeddings: 64,
      typeVocabSize: 1, hiddenAct: 'gelu', hiddenDropoutProb: 0.1, attentionProbsDropoutProb: 0.1, layerNormEps: 1e-5, padTokenId: 1,
      bosTokenId: 0, eosTokenId: 2, positionEmbeddingType: 'absolute', classifierDropout: null, numLabels: 2,
    });
    // Positions 0 and 1 are reserved (pad_token_id + 1 is the first real position).
    expect(maxSequenceLength(c)).toBe(62);
  });

  it.skipIf(!sharedTinyMlmExists)(`reads the shared pretrained model's config (needs ${SHARED_TINY_MLM})`, () => {
    const c = parseRobertaConfig(readFileSync(resolve(SHARED_TINY_MLM, 'config.json'), 'utf8'));
    expect([c.hiddenSize, c.numHiddenLayers, c.vocabSize, c.maxPositionEmbeddings]).toEqual([256, 4, 50265, 130]);
  });

  it('absent optional fields take HF RobertaConfig defaults; labels come from id2label', () => {
    const c = parseRobertaConfig(variant({ id2label: { 0: 'neg', 1: 'neutral', 2: 'pos' } }, ['layer_norm_eps', 'hidden_act', 'pad_token_id']));
    expect(c.layerNormEps).toBe(1e-12);
    expect(c.hiddenAct).toBe('gelu');
    expect(c.padTokenId).toBe(1);
    expect(c.numLabels).toBe(3);
  });

  it('round-trips through robertaConfigToJson', () => {
    const c = withLabels(parseRobertaConfig(base), 3, { 0: 'a', 1: 'b', 2: 'c' });
    const json = robertaConfigToJson(c, ['RobertaForSequenceClassification']);
    expect(json.label2id).toEqual({ a: 0, b: 1, c: 2 });
    expect(parseRobertaConfig(JSON.stringify(json))).toEqual(c);
  });

  it('a missing shape field is an error naming it', () => {
    for (const field of ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size', 'max_position_embeddings', 'type_vocab_size']) {
      const e = configError(variant({}, [field]));
      expect(e.field).toBe(field);
      expect(e.message).toContain(`required field ${field}`);
    }
  });

  it('values of the wrong type or range name the field, what was expected and what was found', () => {
    expect(configError(variant({ hidden_size: 32.5 })).message).toMatch(/hidden_size must be a positive integer, found 32\.5/);
    expect(configError(variant({ hidden_dropout_prob: 1.5 })).field).toBe('hidden_dropout_prob');
    expect(configError(variant({ hidden_act: 'relu' })).message).toMatch(/hidden_act must be one of "gelu", found "relu"/);
    expect(configError(variant({ position_embedding_type: 'relative_key' })).field).toBe('position_embedding_type');
    expect(configError(variant({ model_type: 'bert' })).field).toBe('model_type');
    expect(configError('{"vocab_size": ').message).toMatch(/not valid JSON/);
    expect(configError('[1, 2]').message).toMatch(/expected a JSON object, found an array/);
  });

  it('fields that disagree with each other are errors naming them', () => {
    const heads = configError(variant({ num_attention_heads: 5 }));
    expect(heads.field).toBe('num_attention_heads');
    expect(heads.message).toMatch(/hidden_size 32 is not divisible by num_attention_heads 5/);
    expect(configError(variant({ pad_token_id: 320 })).message).toMatch(/pad_token_id 320 is not below vocab_size 320/);
    expect(configError(variant({ max_position_embeddings: 2 })).field).toBe('max_position_embeddings');
    expect(configError(variant({ num_labels: 2, id2label: { 0: 'a', 1: 'b', 2: 'c' } })).message).toMatch(/num_labels 2 disagrees with id2label, which has 3 entries/);
  });
});

describe('presets', () => {
  it('roberta-base and roberta-large have the shapes of HF checkpoints of those names', () => {
    expect(ROBERTA_PRESETS).toEqual(['roberta-base', 'roberta-large', 'tiny']);
    const b = robertaPreset('roberta-base');
    expect([b.vocabSize, b.hiddenSize, b.numHiddenLayers, b.numAttentionHeads, b.intermediateSize, b.maxPositionEmbeddings, b.typeVocabSize, b.layerNormEps])
      .toEqual([50265, 768, 12, 12, 3072, 514, 1, 1e-5]);
    const l = robertaPreset('roberta-large');
    expect([l.hiddenSize, l.numHiddenLayers, l.numAttentionHeads, l.intermediateSize]).toEqual([1024, 24, 16, 4096]);
    expect(maxSequenceLength(b)).toBe(512);
  });

  it("roberta-base's 2-label classification head has SEMANTICS.md's 592,130 parameters", () => {
    useBackend(new CpuBackend());
    const head = new RobertaClassificationHead(robertaPreset('roberta-base', { numLabels: 2 }), {});
    expect(head.parameters().reduce((a, p) => a + p.size, 0)).toBe(592_130);
  });

  it('tiny fits 128-token inputs and a byte-level vocabulary (256 bytes + specials)', () => {
    const t = robertaPreset('tiny');
    expect(maxSequenceLength(t)).toBeGreaterThanOrEqual(128);
    // Exactly the byte-level tokenizer's ids: every id has an embedding row, none is unused.
    expect(t.vocabSize).toBe(byteLevelTokenizer().vocabSize);
    expect(t.vocabSize).toBe(256 + 5);
    expect(robertaPreset('tiny', { numLabels: 3 }).numLabels).toBe(3);
  });

  it('an unknown preset lists the valid choices; overrides are validated', () => {
    expect(() => robertaPreset('roberta-huge')).toThrow(ArgumentError);
    expect(() => robertaPreset('roberta-huge')).toThrow(/valid choices: roberta-base, roberta-large, tiny/);
    expect(() => robertaPreset('tiny', { numAttentionHeads: 7 })).toThrow(ConfigError);
  });
});
