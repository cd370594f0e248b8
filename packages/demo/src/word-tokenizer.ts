import { BYTE_LEVEL_IDS } from '@edora/models';
import type { Tokenizer } from '@edora/glue';
import { ArgumentError, FormatError } from '@edora/tensor';

/** RoBERTa's special ids as the `tiny` preset has them; words take the ids the bytes would. */
const { bos, pad, eos, unk, firstByte, mask } = BYTE_LEVEL_IDS;
/** How many words fit in the `tiny` preset's embedding table between the specials and `<mask>`. */
export const MAX_WORDS = mask - firstByte;

/** The word list a model folder carries when its tokenizer is `wordTokenizer` (the demo's base). */
export const WORDS_FILE = 'words.json';

export interface WordTokenizer extends Tokenizer {
  readonly vocabulary: readonly string[];
  readonly maskTokenId: number;
  /** Ids of one text's words, without specials. */
  wordIds(text: string): number[];
}

/**
 * One token per space-separated word of a fixed vocabulary (others map to `<unk>`), framed as
 * RoBERTa frames text: `<s> A </s>` or `<s> A </s></s> B </s>`. The demo uses it because the
 * synthetic task's ~40 words as single tokens make its sentences ~10 tokens instead of ~45 bytes:
 * a word is then one embedding to learn, not a spelling, which is what lets the tiny model learn
 * the task within the demo's two minutes.
 */
export function wordTokenizer(vocabulary: readonly string[]): WordTokenizer {
  if (vocabulary.length > MAX_WORDS) {
    throw new ArgumentError(`wordTokenizer: expected at most ${MAX_WORDS} words (the tiny preset's ids ${firstByte}..${mask - 1}); found ${vocabulary.length}`);
  }
  const index = new Map(vocabulary.map((w, i) => [w, firstByte + i]));
  const wordIds = (text: string): number[] => text.split(' ').filter((w) => w !== '').map((w) => index.get(w) ?? unk);
  return {
    vocabulary, padTokenId: pad, maskTokenId: mask, wordIds,
    encode(textA, textB, maxLength = Infinity) {
      let a = wordIds(textA);
      let b = textB === undefined ? null : wordIds(textB);
      const budget = maxLength - (b ? 4 : 2);
      if (!(budget >= 0)) throw new ArgumentError(`wordTokenizer: expected maxLength ≥ ${b ? 4 : 2} (the special tokens of one example); found ${maxLength}`);
      // longest first, as HF truncates pairs
      while (a.length + (b?.length ?? 0) > budget && (a.length > 0 || (b?.length ?? 0) > 0)) {
        if (b && b.length >= a.length) b = b.slice(0, -1);
        else a = a.slice(0, -1);
      }
      return { inputIds: b ? [bos, ...a, eos, eos, ...b, eos] : [bos, ...a, eos] };
    },
  };
}

/** The word list of a `words.json` file (a JSON array of strings); anything else is a `FormatError` naming `source`. */
export function parseWordList(text: string, source: string = WORDS_FILE): string[] {
  let words: unknown;
  try {
    words = JSON.parse(text);
  } catch (cause) {
    throw new FormatError(`${source}: expected a JSON array of words; found invalid JSON (${(cause as Error).message})`, { cause });
  }
  if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) {
    throw new FormatError(`${source}: expected a JSON array of words; found ${text.slice(0, 60)}`);
  }
  return words as string[];
}
