import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EdoraError } from '@edora/tensor';
import { BYTE_TO_CHAR, SpecialTokenError, TokenizerFileError, parseMergesTxt, parseVocabJson, tokenizerFromJson, tokenizerFromVocabMerges } from '../src/index.js';
import { loadTokenizer } from '../src/node.js';
import { jsonErrorOffset } from '../src/tokenizer/json-error.js';
import { hasRobertaFiles, missingRobertaFiles, robertaTokenizerDir, robertaTokenizerJson, sharedData } from './tokenizer-reference.js';

// Reading tokenizer files: a small hand-made byte-level vocabulary whose BPE results are worked
// out by hand, tokenizer.json against vocab.json + merges.txt, loading folders, and the typed
// errors for bad files (each names the file and, where there is one, the line).

/** RoBERTa's specials at 0..3, the 256 byte characters at 4..259, `<mask>`, then `extra`. */
function smallVocab(extra: string[]): Record<string, number> {
  const vocab: Record<string, number> = { '<s>': 0, '<pad>': 1, '</s>': 2, '<unk>': 3 };
  BYTE_TO_CHAR.forEach((ch, b) => (vocab[ch] = 4 + b));
  vocab['<mask>'] = 260;
  extra.forEach((t, i) => (vocab[t] = 261 + i));
  return vocab;
}
const EXTRA = ['ab', 'bc', 'abc', 'Ġa', 'Ġab'];
const vocabText = JSON.stringify(smallVocab(EXTRA), null, 1);

/** Thrown error, checked to be the given class with a message matching `pattern`. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error; none was thrown');
}

describe('BPE merges by rank (hand-made vocabulary)', () => {
  it('applies the lowest-ranked adjacent merge first', () => {
    // "a b" first: abc → ab c → abc (via "ab c").
    const abFirst = tokenizerFromVocabMerges(vocabText, '#version: 0.2\na b\nb c\nab c\n');
    expect(abFirst.tokenize('abc')).toEqual(['abc']);
    // "b c" first: abc → a bc, and no "a bc" merge exists.
    const bcFirst = tokenizerFromVocabMerges(vocabText, '#version: 0.2\nb c\na b\nab c\n');
    expect(bcFirst.tokenize('abc')).toEqual(['a', 'bc']);
    expect(bcFirst.encode('abc').inputIds).toEqual([0, 4 + 97, 262, 2]);
    // " ab" is one word (with its leading space): which token it becomes depends on the ranks.
    expect(tokenizerFromVocabMerges(vocabText, 'a b\nĠ a\nĠa b\n').tokenize('ab ab')).toEqual(['ab', 'Ġ', 'ab']);
    const spaceFirst = tokenizerFromVocabMerges(vocabText, 'Ġ a\na b\nĠa b\n');
    expect(spaceFirst.tokenize('ab ab')).toEqual(['ab', 'Ġab']);
    // "abab" is one word; with no "ab ab" merge it stays two tokens.
    expect(spaceFirst.tokenize('abab')).toEqual(['ab', 'ab']);
    // Without merges every byte is its own token.
    expect(tokenizerFromVocabMerges(vocabText, '').tokenize('abc')).toEqual(['a', 'b', 'c']);
  });

  it('addPrefixSpace adds a space before a text that does not start with one', () => {
    const t = tokenizerFromVocabMerges(vocabText, 'Ġ a\na b\nĠa b\n', { addPrefixSpace: true });
    expect(t.tokenize('ab')).toEqual(['Ġab']);
    expect(t.tokenize(' ab')).toEqual(['Ġab']);
  });

  it('special tokens can be renamed or left out', () => {
    const t = tokenizerFromVocabMerges(vocabText, '', { specialTokens: { bos: 'ab', mask: undefined } });
    expect(t.bosTokenId).toBe(261);
    expect(t.maskTokenId).toBeUndefined();
    expect(t.encode('x').inputIds).toEqual([261, 4 + 120, 2]);
    // A special token is matched whole in text, before BPE.
    expect(t.tokenize('xaby')).toEqual(['x', 'ab', 'y']);
  });
});

describe('typed errors for bad files', () => {
  it('vocab.json: JSON syntax, non-object, bad or duplicate ids, with file and line', () => {
    const syntax = thrown(() => parseVocabJson('{\n "a": 0,\n "b": ,\n}', 'v.json'));
    expect(syntax).toBeInstanceOf(TokenizerFileError);
    expect(syntax).toMatchObject({ code: 'E_TOKENIZER_FILE', file: 'v.json', line: 3 });
    expect(() => parseVocabJson('[1, 2]', 'v.json')).toThrow(/v\.json:1: expected a JSON object of token → id; found an array/);
    expect(() => parseVocabJson('{\n"a": 0,\n"b": 1.5\n}', 'v.json')).toThrow(/v\.json:3: expected an integer id in \[0, 2\^31\) for token "b"; found 1\.5/);
    expect(() => parseVocabJson('{"a": 0,\n"b": 0}', 'v.json')).toThrow(/v\.json:2: expected distinct ids; tokens "a" and "b" both have id 0/);
    expect(() => parseVocabJson(new Uint8Array([0x7b, 0xff, 0x7d]), 'v.json')).toThrow(/v\.json: expected UTF-8 text; found invalid UTF-8/);
  });

  it('the JSON error locator agrees with JSON.parse on what is valid', () => {
    const docs = [
      '{}', '[]', ' {"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"]} ', '{"a": {"b": []}}', '"s"', '0',
      '', '{', '{"a" 1}', '{"a": 1,}', '[1 2]', '{"a": tru}', '"\\x"', '01', '{"a": 1} x', '"unterminated', '"tab\there"',
    ];
    for (const doc of docs) {
      let parses = true;
      try {
        JSON.parse(doc);
      } catch {
        parses = false;
      }
      expect(jsonErrorOffset(doc) === -1, doc).toBe(parses);
    }
    expect(jsonErrorOffset('{"a": 1,\n "b": x}')).toBe(15);
  });

  it('merges.txt: a malformed line or a merge outside the vocabulary names the line', () => {
    expect(parseMergesTxt('#version: 0.2\na b\r\nb c\n')).toEqual({ merges: [['a', 'b'], ['b', 'c']], lines: [2, 3] });
    const malformed = thrown(() => parseMergesTxt('#version: 0.2\na b\na b c\n', 'm.txt'));
    expect(malformed).toMatchObject({ code: 'E_TOKENIZER_FILE', file: 'm.txt', line: 3 });
    expect(String(malformed)).toMatch(/m\.txt:3: expected a merge "left right" \(two tokens, one space\); found "a b c"/);
    expect(() => parseMergesTxt('a b\n\nb c\n', 'm.txt')).toThrow(/m\.txt:2: .*found ""/);
    // "c d" is fine as tokens, but "cd" is not in the vocabulary.
    expect(() => tokenizerFromVocabMerges(vocabText, '#version: 0.2\na b\nc d\n', { mergesFile: 'm.txt', vocabFile: 'v.json' })).toThrow(
      /m\.txt:3: merge "c d" uses "cd", not in the vocabulary of v\.json/,
    );
  });

  it('a vocabulary without every byte token is not byte-level', () => {
    const vocab = smallVocab([]);
    delete vocab['Ġ'];
    const e = thrown(() => tokenizerFromVocabMerges(JSON.stringify(vocab), ''));
    expect(e).toBeInstanceOf(TokenizerFileError);
    expect(String(e)).toMatch(/no token for byte 0x20 \(expected "Ġ"/);
  });

  it('a special token missing from the vocabulary is a SpecialTokenError naming it', () => {
    const vocab = smallVocab([]);
    delete vocab['<mask>'];
    const e = thrown(() => tokenizerFromVocabMerges(JSON.stringify(vocab), '', { vocabFile: 'v.json' }));
    expect(e).toBeInstanceOf(SpecialTokenError);
    expect(e).toBeInstanceOf(EdoraError);
    expect(e).toMatchObject({ code: 'E_SPECIAL_TOKEN', token: '<mask>' });
    expect(String(e)).toMatch(/mask = "<mask>" is not in v\.json; pass specialTokens: \{ mask: \.\.\. \}.*or mask: undefined/);
    expect(() => tokenizerFromVocabMerges(vocabText, '', { specialTokens: { bos: '[CLS]' } })).toThrow(/bos = "\[CLS\]" is not in vocab\.json/);
  });

  it('tokenizer.json: unsupported components are errors naming the field and what is expected', () => {
    const base = () => ({
      model: { type: 'BPE', vocab: smallVocab(EXTRA), merges: ['a b'] },
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false },
      post_processor: { type: 'RobertaProcessing', cls: ['<s>', 0], sep: ['</s>', 2] },
      added_tokens: [],
    });
    expect(tokenizerFromJson(base()).encode('ab').inputIds).toEqual([0, 261, 2]);
    const cases: [string, (j: ReturnType<typeof base> & Record<string, unknown>) => void, RegExp][] = [
      ['model.type', (j) => ((j.model as Record<string, unknown>).type = 'WordPiece'), /model\.type: expected "BPE"; found "WordPiece"/],
      ['normalizer', (j) => (j.normalizer = { type: 'NFC' }), /normalizer: expected null/],
      ['pre_tokenizer', (j) => (j.pre_tokenizer = { type: 'Whitespace' } as never), /pre_tokenizer: expected \{"type": "ByteLevel"/],
      ['post_processor', (j) => (j.post_processor = { type: 'TemplateProcessing' } as never), /post_processor: expected \{"type": "RobertaProcessing"/],
      ['cls id', (j) => (j.post_processor.cls = ['<s>', 5]), /post_processor\.cls: id 5 disagrees with model\.vocab, where "<s>" is 0/],
      ['dropout', (j) => ((j.model as Record<string, unknown>).dropout = 0.1), /model\.dropout: expected null/],
      ['merges', (j) => ((j.model as Record<string, unknown>).merges = ['a b c']), /model\.merges\[0\]: expected "left right"/],
      ['added token', (j) => (j.added_tokens = [{ content: 5 }] as never), /added_tokens\[0\]: expected \{"id": integer/],
    ];
    for (const [what, mutate, pattern] of cases) {
      const j = base() as ReturnType<typeof base> & Record<string, unknown>;
      mutate(j);
      const e = thrown(() => tokenizerFromJson(j, { file: 't.json' }));
      expect(e, what).toBeInstanceOf(TokenizerFileError);
      expect(String(e), what).toMatch(pattern);
      expect(String(e), what).toMatch(/t\.json: /);
    }
    expect(() => tokenizerFromJson('{"model": ', { file: 't.json' })).toThrow(/t\.json:1: expected JSON/);
    expect(() => tokenizerFromJson('{\n"model": {},\n"x": tru\n}', { file: 't.json' })).toThrow(/t\.json:3: expected JSON/);
  });
});

describe.skipIf(!hasRobertaFiles)(`roberta-base as tokenizer.json and as folders (${hasRobertaFiles ? 'present' : missingRobertaFiles})`, () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(tmpdir(), 'edora-tokenizer-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const sample = ["it 's a charming and often affecting journey . ", 'Hello <mask> world!', 'naïve 😀', ''];

  it('tokenizer.json (strings or pair arrays for merges) gives the ids of vocab.json + merges.txt', async () => {
    const fromFiles = await loadTokenizer(robertaTokenizerDir);
    const json = robertaTokenizerJson();
    const fromJson = tokenizerFromJson(JSON.stringify(json));
    const model = json.model as { merges: string[] };
    const fromPairs = tokenizerFromJson({ ...json, model: { ...model, merges: model.merges.map((m) => m.split(' ')) } });
    for (const text of sample) {
      const expected = fromFiles.encode(text, 'and a pair').inputIds;
      expect(fromJson.encode(text, 'and a pair').inputIds).toEqual(expected);
      expect(fromPairs.encode(text, 'and a pair').inputIds).toEqual(expected);
    }
    expect(fromJson.maskTokenId).toBe(50264);
    expect(fromJson.vocabSize).toBe(50265);
  });

  it('loadTokenizer prefers tokenizer.json, else vocab.json + merges.txt, else says what it found', async () => {
    const withJson = tempDir();
    const json = robertaTokenizerJson();
    // A different pad token in tokenizer.json's padding section shows it was the file read.
    writeFileSync(path.join(withJson, 'tokenizer.json'), JSON.stringify({ ...json, padding: { pad_token: '<unk>' } }));
    expect((await loadTokenizer(withJson)).padTokenId).toBe(3);

    const empty = tempDir();
    writeFileSync(path.join(empty, 'config.json'), '{}');
    const e = await loadTokenizer(empty).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TokenizerFileError);
    expect(String(e)).toMatch(/expected tokenizer\.json, or vocab\.json \+ merges\.txt; found config\.json/);
    await expect(loadTokenizer(path.join(empty, 'nope'))).rejects.toThrow(/cannot be read/);

    const broken = tempDir();
    writeFileSync(path.join(broken, 'vocab.json'), '{"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "<mask>": 4}');
    writeFileSync(path.join(broken, 'merges.txt'), '#version: 0.2\n');
    await expect(loadTokenizer(broken)).rejects.toThrow(new RegExp(`${path.join(broken, 'vocab.json').replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}: not a byte-level vocabulary`));
  });

  const modelDir = path.join(sharedData, 'models', 'tiny-roberta-mlm');
  it.skipIf(!existsSync(modelDir))(`the shared tiny-roberta-mlm model folder loads (${modelDir})`, async () => {
    const t = await loadTokenizer(modelDir);
    expect(t.encode('Hello world').inputIds).toEqual([0, 31414, 232, 2]);
  });
});
