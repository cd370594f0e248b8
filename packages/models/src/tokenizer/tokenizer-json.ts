import type { AddedToken } from './added-tokens.js';
import { TokenizerFileError } from './errors.js';
import { fileText, isPlainObject, parseJsonFile, type FileContent } from './file-text.js';
import { formatValue } from '@edora/tensor';
import { ROBERTA_SPECIAL_TOKENS, isTokenId, type SpecialTokenNames, type TokenizerSpec } from './spec.js';
import { RobertaTokenizer, type TokenizerOptions } from './tokenizer.js';

export interface TokenizerJsonOptions extends TokenizerOptions {
  /** Name used in error messages. Default `tokenizer.json`. */
  readonly file?: string;
}

/**
 * The tokenizer of an HF `tokenizer.json` (text, bytes or the parsed object) of RoBERTa's kind: a
 * BPE model, the ByteLevel pre-tokenizer, RobertaProcessing (its `cls`/`sep` are `<s>`/`</s>`), no
 * normalizer. Anything else is an error naming the field and what is supported, rather than ids
 * that silently differ from HF's. `<pad>` comes from `padding.pad_token` when set; `<unk>` and
 * `<mask>` are taken when the vocabulary has them.
 */
export function tokenizerFromJson(json: FileContent | object, options: TokenizerJsonOptions = {}): RobertaTokenizer {
  const file = options.file ?? 'tokenizer.json';
  const root = typeof json === 'string' || json instanceof Uint8Array ? parseJsonFile(fileText(json, file), file) : json;
  const fail = (field: string, message: string): never => {
    throw new TokenizerFileError(file, undefined, `${field}: ${message}`);
  };
  if (!isPlainObject(root)) fail('(root)', 'expected an object');
  const doc = root as Record<string, unknown>;

  const model = doc.model;
  if (!isPlainObject(model)) return fail('model', 'expected an object (a BPE model)');
  if (model.type !== undefined && model.type !== 'BPE') fail('model.type', `expected "BPE"; found ${formatValue(model.type)}`);
  if (model.dropout !== undefined && model.dropout !== null) fail('model.dropout', `expected null (BPE dropout changes ids at random); found ${formatValue(model.dropout)}`);
  for (const affix of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    const v = model[affix];
    if (v !== undefined && v !== null && v !== '') fail(`model.${affix}`, `expected "" or null (byte-level BPE has none); found ${formatValue(v)}`);
  }
  if (model.ignore_merges === true) fail('model.ignore_merges', 'expected false; found true (not implemented)');
  const vocab = readVocab(model.vocab, fail);
  const merges = readMerges(model.merges, fail);

  if (doc.normalizer !== undefined && doc.normalizer !== null) fail('normalizer', `expected null (RoBERTa has no normalizer); found ${formatValue(doc.normalizer)}`);
  const pre = doc.pre_tokenizer;
  if (!isPlainObject(pre) || pre.type !== 'ByteLevel') fail('pre_tokenizer', `expected {"type": "ByteLevel", ...}; found ${formatValue(pre)}`);
  const preTokenizer = pre as Record<string, unknown>;
  if (preTokenizer.use_regex === false) fail('pre_tokenizer.use_regex', 'expected true (GPT-2 pre-tokenization); found false');

  const post = doc.post_processor;
  if (!isPlainObject(post) || post.type !== 'RobertaProcessing') fail('post_processor', `expected {"type": "RobertaProcessing", ...} (<s> A </s></s> B </s>); found ${formatValue(post)}`);
  const processor = post as Record<string, unknown>;
  const padding = isPlainObject(doc.padding) ? doc.padding : {};
  const specialTokens: SpecialTokenNames = {
    bos: specialOf(processor.cls, 'post_processor.cls', vocab, fail),
    eos: specialOf(processor.sep, 'post_processor.sep', vocab, fail),
    pad: typeof padding.pad_token === 'string' ? padding.pad_token : ROBERTA_SPECIAL_TOKENS.pad,
    unk: typeof model.unk_token === 'string' ? model.unk_token : undefined,
    mask: undefined,
  };
  const addedTokens = readAddedTokens(doc.added_tokens, fail);
  const known = (t: string): boolean => vocab.has(t) || addedTokens.some((a) => a.content === t);
  const withOptional: SpecialTokenNames = {
    ...specialTokens,
    unk: specialTokens.unk ?? (known(ROBERTA_SPECIAL_TOKENS.unk) ? ROBERTA_SPECIAL_TOKENS.unk : undefined),
    mask: known(ROBERTA_SPECIAL_TOKENS.mask) ? ROBERTA_SPECIAL_TOKENS.mask : undefined,
  };
  const spec: TokenizerSpec = {
    vocab,
    merges,
    addedTokens,
    specialTokens: withOptional,
    addPrefixSpace: preTokenizer.add_prefix_space === true,
    vocabFile: `${file} (model.vocab)`,
    mergeLocation: (rank) => ({ file: `${file} (model.merges[${rank}])`, line: undefined }),
  };
  return new RobertaTokenizer(spec, options);
}

type Fail = (field: string, message: string) => never;

function readVocab(value: unknown, fail: Fail): Map<string, number> {
  if (!isPlainObject(value)) return fail('model.vocab', 'expected an object of token → id');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(value)) {
    if (!isTokenId(id)) fail(`model.vocab[${formatValue(token)}]`, `expected an integer id in [0, 2^31); found ${formatValue(id)}`);
    vocab.set(token, id as number);
  }
  return vocab;
}

/** Merges as `"left right"` strings (older files) or `["left", "right"]` pairs (newer ones). */
function readMerges(value: unknown, fail: Fail): [string, string][] {
  if (!Array.isArray(value)) return fail('model.merges', 'expected an array');
  return value.map((m: unknown, i): [string, string] => {
    const parts = typeof m === 'string' ? m.split(' ') : m;
    if (!Array.isArray(parts) || parts.length !== 2 || parts.some((p) => typeof p !== 'string' || p === '')) {
      return fail(`model.merges[${i}]`, `expected "left right" or ["left", "right"]; found ${formatValue(m)}`);
    }
    return [parts[0] as string, parts[1] as string];
  });
}

function readAddedTokens(value: unknown, fail: Fail): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return fail('added_tokens', 'expected an array');
  return value.map((t: unknown, i): AddedToken => {
    if (!isPlainObject(t) || typeof t.content !== 'string' || !isTokenId(t.id)) {
      return fail(`added_tokens[${i}]`, `expected {"id": integer in [0, 2^31), "content": string, ...}; found ${formatValue(t)}`);
    }
    return { id: t.id, content: t.content, special: t.special === true, lstrip: t.lstrip === true, rstrip: t.rstrip === true, singleWord: t.single_word === true };
  });
}

/** RobertaProcessing's `[token, id]`; the id must be the token's id in the vocabulary. */
function specialOf(value: unknown, field: string, vocab: ReadonlyMap<string, number>, fail: Fail): string {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'number') {
    return fail(field, `expected ["token", id]; found ${formatValue(value)}`);
  }
  const [token, id] = value as [string, number];
  const inVocab = vocab.get(token);
  if (inVocab !== undefined && inVocab !== id) fail(field, `id ${id} disagrees with model.vocab, where ${formatValue(token)} is ${inVocab}`);
  return token;
}
