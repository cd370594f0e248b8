import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError } from '@edora/tensor';
import { BYTE_LEVEL_IDS, BYTE_TO_CHAR, CHAR_TO_BYTE, byteLevelTokenizer, type RobertaTokenizer } from '../src/index.js';
import { loadTokenizer } from '../src/node.js';
import { forEachWord } from '../src/tokenizer/pre-tokenize.js';
import { longestFirst } from '../src/tokenizer/truncation.js';
import { hasRobertaFiles, missingRobertaFiles, referenceLongestFirst, referenceTokenizer, robertaTokenizerDir } from './tokenizer-reference.js';

// Hand-checked cases: ids derived by reasoning (vocabulary lookups of the tokens GPT-2's rules
// give), the byte map against GPT-2's definition, truncation against HF's own table and the
// literal loop, and the byte-level tokenizer of the `tiny` preset in closed form.

const words = (text: string): string[] => {
  const out: string[] = [];
  forEachWord(text, (w) => out.push(w));
  return out;
};

describe('GPT-2 byte ↔ unicode map', () => {
  it('printable Latin-1 bytes stand for themselves; the 68 others follow from U+0100 in byte order', () => {
    expect(BYTE_TO_CHAR[0x41]).toBe('A');
    expect(BYTE_TO_CHAR[0xe9]).toBe('é');
    expect(BYTE_TO_CHAR[0]).toBe('\u0100'); // first non-printable byte
    expect(BYTE_TO_CHAR[10]).toBe('Ċ'); // '\n' = U+010A
    expect(BYTE_TO_CHAR[32]).toBe('Ġ'); // space: the 33rd shifted byte, U+0120
    expect(BYTE_TO_CHAR[127]).toBe('\u0121'); // DEL comes after the 33 bytes 0..32
    expect(BYTE_TO_CHAR[160]).toBe('\u0142'); // NBSP: 33 + 34th shifted
    expect(BYTE_TO_CHAR[173]).toBe('\u0143'); // soft hyphen: the 68th and last
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    for (let b = 0; b < 256; b++) expect(CHAR_TO_BYTE.get(BYTE_TO_CHAR[b]!)).toBe(b);
  });
});

describe('GPT-2 pre-tokenization', () => {
  it('contractions, a leading space joined to the next word, digits and symbols apart', () => {
    expect(words("don't I'll")).toEqual(['don', "'t", ' I', "'ll"]);
    expect(words("We'RE 42 cats!!")).toEqual(['We', "'", 'RE', ' 42', ' cats', '!!']);
    expect(words('a1b')).toEqual(['a', '1', 'b']);
  });

  it('a whitespace run leaves its last space to the following word; trailing runs stay whole', () => {
    expect(words('a   b')).toEqual(['a', '  ', ' b']);
    expect(words('a\n\nb')).toEqual(['a', '\n', '\n', 'b']);
    expect(words('a\n\n')).toEqual(['a', '\n\n']);
    expect(words('a  ')).toEqual(['a', '  ']);
    expect(words('')).toEqual([]);
  });

  it('whitespace is Unicode White_Space as in Oniguruma, not JavaScript \\s', () => {
    // U+0085 (NEL) is White_Space, so it is not a symbol glued to the space before it.
    expect(words('a \u0085b')).toEqual(['a', ' ', '\u0085', 'b']);
    // U+FEFF (BOM) is not White_Space: a symbol, which takes the space before it.
    expect(words('a \ufeffb')).toEqual(['a', ' \ufeff', 'b']);
  });

  it('letters of every script and emoji are covered', () => {
    expect(words('héllo 世界 😀!')).toEqual(['héllo', ' 世界', ' 😀!']);
    expect(words('abc').join('')).toBe('abc');
  });
});

describe('longest-first truncation', () => {
  it('gives the lengths of HF tokenizers own unit-test table (max_length 7)', () => {
    // tokenizers/src/utils/truncation.rs, truncate_encodings_longest_first: lengths 0, 2, 4, 8.
    const table: [number, number, number, number][] = [
      [0, 0, 0, 0], [0, 2, 0, 2], [0, 4, 0, 4], [0, 8, 0, 7],
      [2, 0, 2, 0], [2, 2, 2, 2], [2, 4, 2, 4], [2, 8, 2, 5],
      [4, 0, 4, 0], [4, 2, 4, 2], [4, 4, 3, 4], [4, 8, 3, 4],
      [8, 0, 7, 0], [8, 2, 5, 2], [8, 4, 4, 3], [8, 8, 3, 4],
    ];
    const tok = byteLevelTokenizer();
    for (const [la, lb, ea, eb] of table) {
      expect(longestFirst(la, lb, 7)).toEqual([ea, eb]);
      // Through the tokenizer: 4 specials on top of the budget of 7.
      const ids = tok.encode('a'.repeat(la), 'b'.repeat(lb), 11).inputIds;
      expect(ids).toEqual([0, ...Array(ea).fill(4 + 97), 2, 2, ...Array(eb).fill(4 + 98), 2]);
    }
  });

  it('equals removing one token at a time from the longer sequence, for all small cases', () => {
    const seq = (n: number) => Array.from({ length: n }, (_, i) => i);
    for (let la = 0; la <= 12; la++) {
      for (let lb = 0; lb <= 12; lb++) {
        for (let budget = 0; budget <= 26; budget++) {
          const [a, b] = referenceLongestFirst(seq(la), seq(lb), budget);
          expect(longestFirst(la, lb, budget), `${la}, ${lb}, budget ${budget}`).toEqual([a.length, b.length]);
        }
      }
      expect(longestFirst(la, undefined, 5)).toEqual([Math.min(la, 5), 0]);
    }
  });

  it('cuts single texts at the end and rejects a maxLength below the special tokens', () => {
    const tok = byteLevelTokenizer();
    expect(tok.encode('abcdef', undefined, 5).inputIds).toEqual([0, 101, 102, 103, 2]);
    expect(tok.encode('abcdef', undefined, 2).inputIds).toEqual([0, 2]);
    expect(() => tok.encode('a', 'b', 3)).toThrow(ArgumentError);
    expect(() => tok.encode('a', 'b', 3)).toThrow(/≥ 4.*found 3/);
    expect(() => tok.encode('a', undefined, 1.5)).toThrow(/integer ≥ 2/);
    expect(() => byteLevelTokenizer({ maxLength: 1 })).toThrow(/options\.maxLength/);
    // Default length 128: 126 bytes survive.
    expect(tok.encode('x'.repeat(500)).inputIds.length).toBe(128);
    expect(tok.encode('x'.repeat(500), undefined, Number.POSITIVE_INFINITY).inputIds.length).toBe(502);
  });
});

describe('byteLevelTokenizer (the tiny preset vocabulary, no files)', () => {
  const tok = byteLevelTokenizer();

  it('one token per UTF-8 byte at 4 + byte, RoBERTa specials and framing', () => {
    expect(tok.vocabSize).toBe(261);
    expect([tok.bosTokenId, tok.padTokenId, tok.eosTokenId, tok.unkTokenId, tok.maskTokenId]).toEqual([0, 1, 2, 3, 260]);
    expect(tok.encode('Hi').inputIds).toEqual([0, 4 + 0x48, 4 + 0x69, 2]);
    expect(tok.encode('é').inputIds).toEqual([0, 4 + 0xc3, 4 + 0xa9, 2]);
    expect(tok.encode('😀').inputIds).toEqual([0, 4 + 0xf0, 4 + 0x9f, 4 + 0x98, 4 + 0x80, 2]);
    expect(tok.encode('a', 'b').inputIds).toEqual([0, 101, 2, 2, 102, 2]);
    expect(tok.encode('', '').inputIds).toEqual([0, 2, 2, 2]);
    expect(tok.encode('').attentionMask).toEqual([1, 1]);
    expect(BYTE_LEVEL_IDS.firstByte + 0xff).toBe(259);
  });

  it('decode gives back a leading U+FEFF (text, not a byte-order mark), and U+FFFD for broken bytes', () => {
    for (const text of ['\ufeffBOM at start', '\ufeff', '\ufeff\ufeffx', 'mid\ufeffdle']) {
      const ids = tok.encodeText(text);
      expect(ids.slice(0, 3)).toEqual(text.startsWith('\ufeff') ? [4 + 0xef, 4 + 0xbb, 4 + 0xbf] : ids.slice(0, 3));
      expect(tok.decode(ids)).toBe(text);
      expect(tok.decode(tok.encode(text).inputIds, { skipSpecialTokens: true })).toBe(text);
    }
    // a lone continuation byte and a cut 3-byte sequence, as Python's errors='replace' gives them
    expect(tok.decode([4 + 0x80, 4 + 0x61, 4 + 0xe2, 4 + 0x82])).toBe('\ufffda\ufffd');
  });

  it('finds special tokens in the text; <mask> takes the whitespace before it', () => {
    expect(tok.encode('a <mask> b').inputIds).toEqual([0, 101, 260, 4 + 32, 102, 2]);
    expect(tok.encode('<s></s>').inputIds).toEqual([0, 0, 2, 2]);
    expect(tok.encode('<s').inputIds).toEqual([0, 4 + 60, 4 + 115, 2]);
  });

  it('pads batches to the longest row or to maxLength, with attention masks', () => {
    const longest = tok.encodeBatch(['ab', ['a', 'b'], '']);
    expect(longest.shape).toEqual([3, 6]);
    expect(longest.lengths).toEqual([4, 6, 2]);
    expect(Array.from(longest.inputIds)).toEqual([0, 101, 102, 2, 1, 1, 0, 101, 2, 2, 102, 2, 0, 2, 1, 1, 1, 1]);
    expect(Array.from(longest.attentionMask)).toEqual([1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const fixed = tok.encodeBatch(['abcdefgh', 'a'], { maxLength: 5, padding: 'max_length' });
    expect(fixed.shape).toEqual([2, 5]);
    expect(Array.from(fixed.inputIds)).toEqual([0, 101, 102, 103, 2, 0, 101, 2, 1, 1]);
    expect(Array.from(fixed.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(tok.encodeBatch([]).shape).toEqual([0, 0]);
    expect(() => tok.encodeBatch(['a'], { padding: 'left' as never })).toThrow(/one of 'longest', 'max_length'.*"left"/);
    expect(() => tok.encodeBatch(['a'], { padding: 'max_length', maxLength: Number.POSITIVE_INFINITY })).toThrow(ArgumentError);
  });

  it('decodes bytes back to text, optionally without special tokens', () => {
    const text = 'Grüße, 世界! 😀\n\ttabs';
    const ids = tok.encode(text, 'second', Number.POSITIVE_INFINITY).inputIds;
    expect(tok.decode(ids)).toBe(`<s>${text}</s></s>second</s>`);
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe(`${text}second`);
    expect(tok.decode([4 + 0xc3])).toBe('\ufffd'); // a cut UTF-8 sequence, as HF's lossy decode
    expect(() => tok.decode([0, 261])).toThrow(/ids\[1\] = 261 is not a token id.*0\.\.260/);
    expect(() => tok.decode([0.5])).toThrow(ArgumentError);
    expect(tok.idToToken(4 + 32)).toBe('Ġ');
    expect(tok.tokenToId('<mask>')).toBe(260);
    expect(tok.isSpecialId(1)).toBe(true);
    expect(tok.isSpecialId(100)).toBe(false);
  });
});

describe.skipIf(!hasRobertaFiles)(`roberta-base vocab.json + merges.txt (${hasRobertaFiles ? 'present' : missingRobertaFiles})`, () => {
  let tok: RobertaTokenizer;
  let vocab: Record<string, number>;
  const id = (token: string): number => {
    const v = vocab[token];
    if (v === undefined) throw new Error(`${token} not in vocab.json`);
    return v;
  };
  beforeAll(async () => {
    tok = await loadTokenizer(robertaTokenizerDir);
    vocab = JSON.parse(readFileSync(path.join(robertaTokenizerDir, 'vocab.json'), 'utf8')) as Record<string, number>;
  });

  it('"Hello world" is <s> Hello Ġworld </s> = [0, 31414, 232, 2]', () => {
    expect(tok.tokenize('Hello world')).toEqual(['Hello', 'Ġworld']);
    expect(tok.encode('Hello world').inputIds).toEqual([0, 31414, 232, 2]);
    expect([id('Hello'), id('Ġworld')]).toEqual([31414, 232]);
  });

  it('specials are RoBERTa ids; the vocabulary has 50265 entries', () => {
    expect([tok.bosTokenId, tok.padTokenId, tok.eosTokenId, tok.unkTokenId, tok.maskTokenId]).toEqual([0, 1, 2, 3, 50264]);
    expect(tok.vocabSize).toBe(50265);
    expect(tok.encode('').inputIds).toEqual([0, 2]);
    expect(tok.encode('', '').inputIds).toEqual([0, 2, 2, 2]);
  });

  it('contractions, whitespace runs, newlines: whole common words, split as the pre-tokenizer says', () => {
    // Every piece here is a single vocabulary entry, so the ids follow from the words alone.
    expect(tok.tokenize("don't")).toEqual(['don', "'t"]);
    expect(tok.tokenize("I'll go")).toEqual(['I', "'ll", 'Ġgo']);
    // roberta-base has no 'ĠĠ' (no "Ġ Ġ" merge), so the two-space word stays two tokens.
    expect(tok.tokenToId('ĠĠ')).toBeUndefined();
    expect(tok.tokenize('a   b')).toEqual(['a', 'Ġ', 'Ġ', 'Ġb']);
    expect(tok.tokenize('a\nb')).toEqual(['a', 'Ċ', 'b']);
    expect(tok.encode("I'll go").inputIds).toEqual([0, id('I'), id("'ll"), id('Ġgo'), 2]);
    expect(tok.encode('a   b').inputIds).toEqual([0, id('a'), id('Ġ'), id('Ġ'), id('Ġb'), 2]);
  });

  it('merges build longer tokens by rank; the tokens of any text spell its bytes', () => {
    for (const text of ['unbelievably', 'tokenization', 'héllo 😀 世界', '  spaced  out  ', 'x\u00a0y\ufeffz\u0085w']) {
      const tokens = tok.tokenize(text);
      const bytes = [...new TextEncoder().encode(text)].map((b) => BYTE_TO_CHAR[b]).join('');
      expect(tokens.join('')).toBe(bytes);
      for (const t of tokens) expect(vocab[t]).toBeTypeOf('number');
      expect(tok.decode(tok.encodeText(text))).toBe(text);
    }
  });

  it('decode keeps a leading U+FEFF, as HF does', () => {
    const text = '\ufeffBOM at start';
    expect(tok.decode(tok.encode(text).inputIds, { skipSpecialTokens: true })).toBe(text);
  });

  it('<mask> in text is id 50264 and swallows the space before it; the pair framing', () => {
    expect(tok.encode('a <mask> b').inputIds).toEqual([0, id('a'), 50264, id('Ġb'), 2]);
    expect(tok.encode('a b', 'c d').inputIds).toEqual([0, id('a'), id('Ġb'), 2, 2, id('c'), id('Ġd'), 2]);
  });

  it('matches HF tokenizers.js on awkward text (unicode, emoji, whitespace, specials)', () => {
    const reference = referenceTokenizer();
    const texts = [
      '', ' ', '   ', '\n', 'a\r\nb', ' leading', 'trailing ', "can't won't y'all O'Neil 'quoted'", 'ALL CAPS',
      'Ünïcödé naïve café', 'Ελληνικά Русский עברית العربية हिन्दी', '日本語のテキスト', '👍🏽 👨‍👩‍👧 🇫🇷', 'x\u00a0y\ufeffz\u0085w\u2028v\u3000u',
      'tabs\tand\t\ttabs', '1,234.56 $78 99%', '<s>not really</s>', '<pad><unk><mask>', 'a<mask>b', 'mask  <mask>', '<<s>>',
      'http://example.com/path?q=1&r=2', '\u0000\u0001\u007f', 'e\u0301', '\ud83d', 'a'.repeat(300),
    ];
    for (const text of texts) {
      expect(tok.encode(text, undefined, Number.POSITIVE_INFINITY).inputIds, JSON.stringify(text)).toEqual(reference.encode(text).ids);
    }
    const decodeIds = reference.encode('Hello <mask> world!').ids;
    expect(tok.decode(decodeIds, { skipSpecialTokens: true })).toBe(reference.decode(decodeIds, { skip_special_tokens: true, clean_up_tokenization_spaces: false }));
  });

  it('cleanUpTokenizationSpaces undoes spaces before punctuation and contractions', () => {
    const ids = tok.encodeText("it 's good , is n't it ?");
    expect(tok.decode(ids)).toBe("it 's good , is n't it ?");
    expect(tok.decode(ids, { cleanUpTokenizationSpaces: true })).toBe("it's good, isn't it?");
  });

  it('truncates a long pair to 128 with both sides cut to 62', () => {
    const long = 'word '.repeat(200);
    const e = tok.encode(long, long);
    expect(e.inputIds.length).toBe(128);
    expect(e.inputIds.indexOf(2)).toBe(63);
    expect(e.inputIds.slice(63, 65)).toEqual([2, 2]);
    expect(e.inputIds.at(-1)).toBe(2);
  });
});
