import { describe, expect, it } from 'vitest';
import { BYTE_TO_CHAR, TokenizerFileError, parseVocabJson, tokenizerFromJson, tokenizerFromVocabMerges } from '../src/index.js';
import { jsonErrorOffset } from '../src/tokenizer/json-error.js';


// Hostile tokenizer files (issue 21): deep nesting, values that cannot be printed with String(),
// ids that would wrap in int32. Each must be a TokenizerFileError naming the file, nothing else.

const DEEP = 50_000;
const deep = (inner: string): string => `${'['.repeat(DEEP)}${inner}${']'.repeat(DEEP)}`;

function byteVocab(): Record<string, number> {
  const vocab: Record<string, number> = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
  BYTE_TO_CHAR.forEach((ch, b) => (vocab[ch] = 4 + b));
  vocab['<mask>'] = 260;
  return vocab;
}

function errorOf(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('hostile tokenizer files', () => {
  it('jsonErrorOffset walks 50,000 nested arrays without recursion', () => {
    expect(jsonErrorOffset(deep('1'))).toBe(-1);
    expect(jsonErrorOffset(deep('x'))).toBe(DEEP);
    expect(jsonErrorOffset(`${'['.repeat(DEEP)}1`)).toBe(DEEP + 1);
    expect(jsonErrorOffset(`{"a":${'{"b":'.repeat(DEEP)}1${'}'.repeat(DEEP)}}`)).toBe(-1);
  });

  it('a broken vocab.json nested 50,000 deep is located, not a RangeError', () => {
    const err = errorOf(() => parseVocabJson(`{"a": ${deep('x')}}`, 'v.json'));
    expect(err).toBeInstanceOf(TokenizerFileError);
    expect(err).toMatchObject({ file: 'v.json', line: 1 });
  });

  it('vocab.json: an id nested 50,000 deep, or an object whose toString is not a function, is a typed error', () => {
    expect(() => parseVocabJson(`{"a": ${deep('1')}}`, 'v.json')).toThrow(/v\.json:1: expected an integer id in \[0, 2\^31\) .* found \[\[\[\[…\]\]\]\]/);
    expect(() => parseVocabJson('{"a": {"toString": 1}}', 'v.json')).toThrow(/found \{"toString": 1\}/);
  });

  it('vocab.json: ids outside [0, 2^31) are rejected (encode would return negative int32 ids)', () => {
    for (const id of [2 ** 31, 3e9, 2 ** 53]) {
      const vocab = { ...byteVocab(), big: id };
      const err = errorOf(() => parseVocabJson(JSON.stringify(vocab), 'v.json'));
      expect(err).toBeInstanceOf(TokenizerFileError);
      expect(String(err)).toMatch(/expected an integer id in \[0, 2\^31\) for token "big"; found \d/);
    }
    expect(parseVocabJson(JSON.stringify({ ...byteVocab(), big: 2 ** 31 - 1 })).get('big')).toBe(2 ** 31 - 1);
    expect(() => tokenizerFromVocabMerges(JSON.stringify({ ...byteVocab(), big: 2 ** 31 }), '#version: 0.2\n')).toThrow(TokenizerFileError);
  });

  it('tokenizer.json: the same id bound for model.vocab and added_tokens', () => {
    const json = robertaTokenizerJsonSmall();
    (json.model as { vocab: Record<string, number> }).vocab.big = 2 ** 31;
    expect(() => tokenizerFromJson(json)).toThrow(/model\.vocab\["big"\]: expected an integer id in \[0, 2\^31\)/);
    const added = robertaTokenizerJsonSmall();
    (added.added_tokens as unknown[]).push({ id: 2 ** 32, content: 'x' });
    expect(() => tokenizerFromJson(added)).toThrow(/added_tokens\[5\]/);
  });

  it('tokenizer.json: a pre_tokenizer nested 50,000 deep, or with a non-function toString, is a typed error', () => {
    for (const pre of [JSON.parse(deep('1')) as unknown, JSON.parse('{"type": {"toString": 1}}') as unknown]) {
      const json = robertaTokenizerJsonSmall();
      json.pre_tokenizer = pre;
      const err = errorOf(() => tokenizerFromJson(json));
      expect(err).toBeInstanceOf(TokenizerFileError);
      expect(String(err).length).toBeLessThan(400);
    }
  });
});

/** RoBERTa's tokenizer.json settings over the small byte vocabulary (no real files needed). */
function robertaTokenizerJsonSmall(): Record<string, unknown> {
  const settings = robertaTokenizerJsonSettings();
  return { ...settings, model: { ...(settings.model as object), vocab: byteVocab(), merges: [] } };
}

function robertaTokenizerJsonSettings(): Record<string, unknown> {

  const special = (content: string, id: number, lstrip = false) => ({ id, content, single_word: false, lstrip, rstrip: false, normalized: !lstrip, special: true });

  return {
    version: '1.0',
    added_tokens: [special('<s>', 0), special('<pad>', 1), special('</s>', 2), special('<unk>', 3), special('<mask>', 260, true)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0] },
    model: { type: 'BPE', dropout: null },
  };
}
