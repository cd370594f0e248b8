import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BYTE_TO_CHAR, type RobertaTokenizer } from '../src/index.js';
import { loadTokenizer } from '../src/node.js';
import { BytePairEncoder } from '../src/tokenizer/bpe.js';
import { forEachWord } from '../src/tokenizer/pre-tokenize.js';
import { hasRobertaFiles, missingRobertaFiles, referenceLongestFirst, robertaTokenizerDir, sharedData } from './tokenizer-reference.js';

// Byte-level BPE is O(n log n) in a word's length (issue 21: a 20k-character word took 2.8 s, the
// merge loop rescanned every pair after each merge), and gives the ids of the literal algorithm.
//
// The reference here is GPT-2's loop written on token strings — find the adjacent pair of lowest
// merge rank, merge it, repeat — sharing nothing with src/tokenizer/bpe.ts (no id tables, no
// queue). Ids are compared on every word of a corpus sample and on long words.

const UTF8 = new TextEncoder();

class ReferenceBpe {
  private readonly rank = new Map<string, number>();
  constructor(
    private readonly vocab: Record<string, number>,
    merges: readonly string[],
  ) {
    merges.forEach((m, i) => this.rank.set(m, i));
  }
  ids(word: string): number[] {
    const parts = Array.from(UTF8.encode(word), (b) => BYTE_TO_CHAR[b]!);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = this.rank.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best]! + parts[best + 1]!);
    }
    return parts.map((p) => this.vocab[p]!);
  }
}

/** A mulberry32 stream, so the long words are the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('BytePairEncoder work is O(n log n) in the word length', () => {
  it('merge-table lookups grow linearly: 4 per byte at most on a 20,000-byte word of one repeated pair', () => {
    // bytes 0..255 are ids 0..255; merge (0,0) → 256, (256,256) → 257, ... a word of 2^k equal
    // bytes merges all the way up: n - 1 merges, the worst case for a rescanning loop (~n²/2).
    const n = 20_000;
    const levels = 15;
    let lookups = 0;
    const ranks = new Map<number, number>();
    const stride = 256 + levels;
    for (let k = 0; k < levels; k++) ranks.set((k === 0 ? 0 : 255 + k) * stride + (k === 0 ? 0 : 255 + k), k);
    const rankOf = new Proxy(ranks, {
      get(target, prop) {
        if (prop === 'get') return (key: number) => (lookups++, target.get(key));
        return Reflect.get(target, prop) as unknown;
      },
    });
    const mergedId = Int32Array.from({ length: levels }, (_, k) => 256 + k);
    const enc = new BytePairEncoder({ byteIds: Int32Array.from({ length: 256 }, (_, b) => b), stride, rankOf, mergedId }, 0);
    const out: number[] = [];
    enc.encodeWord('\0'.repeat(n), out);
    // 20,000 = 16,384 + 2,048 + 1,024 + 512 + 32: one token per set bit, largest first
    expect(out).toEqual([256 + 13, 256 + 10, 256 + 9, 256 + 8, 256 + 4]); // level k makes 2^(k+1) bytes
    expect(lookups).toBeLessThan(4 * n);
  });
});

describe.skipIf(!hasRobertaFiles)(`roberta-base BPE against the literal algorithm${hasRobertaFiles ? '' : ` (skipped: ${missingRobertaFiles})`}`, () => {
  let tokenizer: RobertaTokenizer;
  let reference: ReferenceBpe;
  beforeAll(async () => {
    if (!hasRobertaFiles) return;
    tokenizer = await loadTokenizer(robertaTokenizerDir);
    const vocab = JSON.parse(readFileSync(path.join(robertaTokenizerDir, 'vocab.json'), 'utf8')) as Record<string, number>;
    const merges = readFileSync(path.join(robertaTokenizerDir, 'merges.txt'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#version'));
    reference = new ReferenceBpe(vocab, merges);
  });

  it('every word of 60,000 characters of Emma', () => {
    const file = path.join(sharedData, 'corpus/nltk-gutenberg/austen-emma.txt');
    const text = readFileSync(file, 'utf8').slice(100_000, 160_000);
    const expected: number[] = [];
    forEachWord(text, (w) => expected.push(...reference.ids(w)));
    expect(tokenizer.encodeText(text)).toEqual(expected);
  });

  it('long words without spaces (letters, digits, symbols, mixed scripts) up to 1,000 characters', { timeout: 120_000 }, () => {
    const r = rng(21);
    const alphabets = ['abcdefghijklmnopqrstuvwxyz', 'etaoinshrdlu', 'ab', 'a', '0123456789', '!?.-_/', 'éàüßøñ', 'дфгхйк', '日本語漢字', '😀🎉'];
    for (const [k, alphabet] of alphabets.entries()) {
      const chars = Array.from(alphabet);
      for (const n of [1, 2, 3, 17, 300, 1000]) {
        const word = Array.from({ length: n }, () => chars[Math.floor(r() * chars.length)]!).join('');
        const expected: number[] = [];
        forEachWord(word, (w) => expected.push(...reference.ids(w)));
        expect(tokenizer.encodeText(word), `alphabet ${k}, ${n} characters`).toEqual(expected);
      }
    }
  });

  it('a 200,000-character word encodes (no quadratic blow-up), and truncation keeps the prefix of the full encoding', () => {
    const r = rng(7);
    const word = Array.from({ length: 200_000 }, () => 'abcdefghij'[Math.floor(r() * 10)]!).join('');
    const full = tokenizer.encodeText(word);
    expect(full.length).toBeGreaterThan(20_000);
    const { inputIds } = tokenizer.encode(`${word} ${word}`, undefined, 128);
    expect(inputIds).toEqual([tokenizer.bosTokenId, ...tokenizer.encodeText(`${word} ${word}`).slice(0, 126), tokenizer.eosTokenId]);
    expect(inputIds.slice(1, 127)).toEqual(full.slice(0, 126));
  });

  it('pairs truncated from a prefix equal truncating the full encodings (even and odd budgets, either side longer)', () => {
    const r = rng(9);
    const words = (n: number) => Array.from({ length: n }, () => ['the', 'cat', 'sat', 'on', 'a', 'mat', 'zq', 'x'][Math.floor(r() * 8)]!).join(' ');
    for (const [na, nb] of [[300, 301], [301, 300], [300, 300], [10, 400], [400, 10], [60, 70]] as const) {
      const [ta, tb] = [words(na), words(nb)];
      for (const maxLength of [128, 129, 130, 131]) {
        const [a, b] = referenceLongestFirst(tokenizer.encodeText(ta), tokenizer.encodeText(tb), maxLength - 4);
        const { bosTokenId: s, eosTokenId: e } = tokenizer;
        expect(tokenizer.encode(ta, tb, maxLength).inputIds, `${na}/${nb} words, maxLength ${maxLength}`).toEqual([s, ...a, e, e, ...b, e]);
      }
    }
  });
});

if (!hasRobertaFiles) console.warn(`[bpe-long-words] ${missingRobertaFiles}`);
