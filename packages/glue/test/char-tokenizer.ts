import type { Tokenizer } from '@edora/glue';

/** The ids `charTokenizer` frames with, in RoBERTa's order. */
export const CHAR_SPECIALS = { bos: 0, pad: 1, eos: 2 } as const;

/**
 * The smallest `Tokenizer` the batching tests and the bench need, so that @edora/glue tests itself
 * without the packages above it: one id per UTF-16 code unit (its code + 4), framed
 * `<s> A </s>` or `<s> A </s></s> B </s>`, a pair cut one token at a time from the longer side.
 * A test stand-in, not a product tokenizer: the byte-level one is @edora/models' `byteLevelTokenizer()`.
 */
export function charTokenizer(): Tokenizer {
  const { bos, pad, eos } = CHAR_SPECIALS;
  const ids = (s: string): number[] => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i) + 4);
  return {
    padTokenId: pad,
    encode(textA, textB, maxLength = Infinity) {
      let a = ids(textA);
      let b = textB === undefined ? null : ids(textB);
      const budget = maxLength - (b ? 4 : 2);
      if (budget < 0) throw new Error(`charTokenizer: maxLength ${maxLength} is below the special tokens`);
      while (a.length + (b?.length ?? 0) > budget) {
        if (b && b.length >= a.length) b = b.slice(0, -1);
        else a = a.slice(0, -1);
      }
      return { inputIds: b ? [bos, ...a, eos, eos, ...b, eos] : [bos, ...a, eos] };
    },
  };
}
