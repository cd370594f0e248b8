import { formatValue } from '@edora/tensor';
import { ConfigError } from './errors.js';

/**
 * RoBERTa's configuration, the fields of HF's `config.json` in camelCase. Shape-defining fields
 * are required (a config without them cannot match any checkpoint); the others take HF
 * `RobertaConfig`'s defaults when absent, so a config.json loads here exactly as it loads there.
 */
export interface RobertaConfig {
  vocabSize: number;
  hiddenSize: number;
  numHiddenLayers: number;
  numAttentionHeads: number;
  intermediateSize: number;
  maxPositionEmbeddings: number;
  typeVocabSize: number;
  /** Only HF's `"gelu"` (the exact erf form) is implemented. */
  hiddenAct: 'gelu';
  hiddenDropoutProb: number;
  attentionProbsDropoutProb: number;
  /** Dropout of the classification head; null means `hiddenDropoutProb` (as in HF). */
  classifierDropout: number | null;
  initializerRange: number;
  layerNormEps: number;
  padTokenId: number;
  bosTokenId: number;
  eosTokenId: number;
  /** Only `"absolute"` position embeddings are implemented. */
  positionEmbeddingType: 'absolute';
  /** Outputs of the classification head (HF derives it from `id2label`; default 2). */
  numLabels: number;
  /** Label names by output index, when the config carries them. */
  id2label?: Record<string, string>;
}

type Kind = 'posInt' | 'nonNegInt' | 'prob' | 'posNumber' | 'number';

interface FieldSpec {
  key: keyof RobertaConfig;
  json: string;
  kind: Kind | readonly string[];
  /** Absent: the field is required. `null` is a real default (classifier_dropout). */
  default?: number | string | null;
  nullable?: boolean;
}

// HF RobertaConfig's defaults for everything that does not define a tensor shape.
const FIELDS: readonly FieldSpec[] = [
  { key: 'vocabSize', json: 'vocab_size', kind: 'posInt' },
  { key: 'hiddenSize', json: 'hidden_size', kind: 'posInt' },
  { key: 'numHiddenLayers', json: 'num_hidden_layers', kind: 'posInt' },
  { key: 'numAttentionHeads', json: 'num_attention_heads', kind: 'posInt' },
  { key: 'intermediateSize', json: 'intermediate_size', kind: 'posInt' },
  { key: 'maxPositionEmbeddings', json: 'max_position_embeddings', kind: 'posInt' },
  { key: 'typeVocabSize', json: 'type_vocab_size', kind: 'posInt' },
  { key: 'hiddenAct', json: 'hidden_act', kind: ['gelu'], default: 'gelu' },
  { key: 'hiddenDropoutProb', json: 'hidden_dropout_prob', kind: 'prob', default: 0.1 },
  { key: 'attentionProbsDropoutProb', json: 'attention_probs_dropout_prob', kind: 'prob', default: 0.1 },
  { key: 'classifierDropout', json: 'classifier_dropout', kind: 'prob', default: null, nullable: true },
  { key: 'initializerRange', json: 'initializer_range', kind: 'posNumber', default: 0.02 },
  { key: 'layerNormEps', json: 'layer_norm_eps', kind: 'posNumber', default: 1e-12 },
  { key: 'padTokenId', json: 'pad_token_id', kind: 'nonNegInt', default: 1 },
  { key: 'bosTokenId', json: 'bos_token_id', kind: 'nonNegInt', default: 0 },
  { key: 'eosTokenId', json: 'eos_token_id', kind: 'nonNegInt', default: 2 },
  { key: 'positionEmbeddingType', json: 'position_embedding_type', kind: ['absolute'], default: 'absolute' },
  { key: 'numLabels', json: 'num_labels', kind: 'posInt', default: 2 },
];

const KIND_TEXT: Record<Kind, string> = {
  posInt: 'a positive integer',
  nonNegInt: 'a non-negative integer',
  prob: 'a probability in [0, 1)',
  posNumber: 'a positive number',
  number: 'a number',
};

function fits(kind: FieldSpec['kind'], v: unknown): boolean {
  if (typeof kind !== 'string') return typeof v === 'string' && kind.includes(v);
  if (typeof v !== 'number' || !Number.isFinite(v)) return false;
  switch (kind) {
    case 'posInt':
      return Number.isInteger(v) && v > 0;
    case 'nonNegInt':
      return Number.isInteger(v) && v >= 0;
    case 'prob':
      return v >= 0 && v < 1;
    case 'posNumber':
      return v > 0;
    case 'number':
      return true;
  }
}

function expectation(kind: FieldSpec['kind']): string {
  return typeof kind === 'string' ? KIND_TEXT[kind as Kind] : `one of ${kind.map((k) => JSON.stringify(k)).join(', ')}`;
}

function where(source: string | undefined): string {
  return source ? `${source}: ` : '';
}

/** Checks the relations between fields; each error names the fields that disagree. */
function checkConsistency(c: RobertaConfig, source?: string): void {
  const at = where(source);
  if (c.hiddenSize % c.numAttentionHeads !== 0) {
    throw new ConfigError(
      'num_attention_heads',
      `${at}hidden_size ${c.hiddenSize} is not divisible by num_attention_heads ${c.numAttentionHeads}; each head needs hidden_size / num_attention_heads features`,
    );
  }
  for (const [json, id] of [['pad_token_id', c.padTokenId], ['bos_token_id', c.bosTokenId], ['eos_token_id', c.eosTokenId]] as const) {
    if (id >= c.vocabSize) throw new ConfigError(json, `${at}${json} ${id} is not below vocab_size ${c.vocabSize}`);
  }
  // Positions start at pad_token_id + 1, so at least one real token must fit.
  if (c.maxPositionEmbeddings <= c.padTokenId + 1) {
    throw new ConfigError(
      'max_position_embeddings',
      `${at}max_position_embeddings ${c.maxPositionEmbeddings} leaves no position for a token: RoBERTa positions start at pad_token_id + 1 = ${c.padTokenId + 1}`,
    );
  }
  if (c.id2label !== undefined && Object.keys(c.id2label).length !== c.numLabels) {
    throw new ConfigError(
      'num_labels',
      `${at}num_labels ${c.numLabels} disagrees with id2label, which has ${Object.keys(c.id2label).length} entries`,
    );
  }
}

/** The longest sequence (special tokens included) the position table admits. */
export function maxSequenceLength(config: RobertaConfig): number {
  return config.maxPositionEmbeddings - config.padTokenId - 1;
}

/**
 * A validated config from camelCase fields: shape fields are required, the rest default as in HF.
 * Use it for presets and configs built in code; `parseRobertaConfig` reads HF's config.json.
 */
export function robertaConfig(fields: Partial<RobertaConfig>, source?: string): RobertaConfig {
  const out: Record<string, unknown> = {};
  const given = fields as Record<string, unknown>;
  for (const f of FIELDS) {
    const v = given[f.key];
    if (v === undefined) {
      if (!('default' in f)) {
        throw new ConfigError(f.json, `${where(source)}required field ${f.json} (${f.key}) is missing; expected ${expectation(f.kind)}`);
      }
      out[f.key] = f.default;
    } else if (v === null && f.nullable) {
      out[f.key] = null;
    } else if (!fits(f.kind, v)) {
      throw new ConfigError(f.json, `${where(source)}${f.json} must be ${expectation(f.kind)}, found ${formatValue(v)}`);
    } else {
      out[f.key] = v;
    }
  }
  if (given.id2label !== undefined) out.id2label = { ...(given.id2label as Record<string, string>) };
  const config = out as unknown as RobertaConfig;
  checkConsistency(config, source);
  return config;
}

/**
 * Reads HF's `config.json` (text or parsed object). `source` names the file in errors. Label
 * count follows HF: `id2label`'s size when present, else `num_labels`, else 2.
 */
export function parseRobertaConfig(json: string | Record<string, unknown>, options: { source?: string } = {}): RobertaConfig {
  const source = options.source ?? 'config.json';
  let raw: unknown;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (err) {
      throw new ConfigError('(file)', `${source}: not valid JSON (${(err as Error).message})`);
    }
  } else {
    raw = json;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('(file)', `${source}: expected a JSON object, found ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  const obj = raw as Record<string, unknown>;
  const modelType = obj.model_type;
  if (modelType !== undefined && modelType !== 'roberta') {
    throw new ConfigError('model_type', `${source}: model_type must be "roberta", found ${formatValue(modelType)}`);
  }
  const fields: Record<string, unknown> = {};
  for (const f of FIELDS) if (obj[f.json] !== undefined) fields[f.key] = obj[f.json];
  const id2label = obj.id2label;
  if (id2label !== undefined) {
    if (typeof id2label !== 'object' || id2label === null || Array.isArray(id2label)) {
      throw new ConfigError('id2label', `${source}: id2label must be an object mapping "0".."n-1" to names, found ${formatValue(id2label)}`);
    }
    fields.id2label = id2label;
    if (fields.numLabels === undefined) fields.numLabels = Object.keys(id2label).length;
  }
  return robertaConfig(fields as Partial<RobertaConfig>, source);
}

/** HF's `config.json` object for a config (snake_case, `model_type: "roberta"`). */
export function robertaConfigToJson(config: RobertaConfig, architectures?: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { model_type: 'roberta' };
  if (architectures) out.architectures = architectures;
  const c = config as unknown as Record<string, unknown>;
  for (const f of FIELDS) if (f.key !== 'numLabels') out[f.json] = c[f.key];
  // HF writes labels as id2label/label2id, from which it derives num_labels on load.
  const id2label = config.id2label ?? Object.fromEntries(Array.from({ length: config.numLabels }, (_, i) => [String(i), `LABEL_${i}`]));
  out.id2label = id2label;
  out.label2id = Object.fromEntries(Object.entries(id2label).map(([i, name]) => [name, Number(i)]));
  return out;
}

/** A copy of `config` with other label settings (fine-tuning a pretrained encoder). */
export function withLabels(config: RobertaConfig, numLabels: number, id2label?: Record<string, string>): RobertaConfig {
  const { id2label: _old, ...rest } = config;
  return robertaConfig({ ...rest, numLabels, ...(id2label ? { id2label } : {}) });
}
