import { GlueArgumentError } from './errors.js';

/**
 * The one thing @edora/glue needs from a tokenizer. Any tokenizer fits (the RoBERTa BPE in
 * @edora/models, a wrapper around another library): `encode` returns the ids of one example, with
 * its special tokens and truncated to `maxLength`, without padding — batching pads.
 * If it pads anyway, it must return `attentionMask` (1 for real tokens, then 0s) so the padding can
 * be told apart.
 */
export interface Tokenizer {
  encode(textA: string, textB?: string, maxLength?: number): { inputIds: ArrayLike<number>; attentionMask?: ArrayLike<number> };
  /** The id batching writes into padded positions. */
  readonly padTokenId: number;
}

/** Special ids of the byte-level stand-in, in RoBERTa's order. */
export const BYTE_TOKENIZER_SPECIALS = { bos: 0, pad: 1, eos: 2, unk: 3 } as const;
const BYTE_OFFSET = 4;

/**
 * A byte-level stand-in tokenizer for tests, benchmarks and the synthetic task: each UTF-8 byte is
 * one token (id = byte + 4), framed RoBERTa-style as `<s> A </s>` or `<s> A </s></s> B </s>`;
 * pairs are truncated longest-first, like HF tokenizers' default. Vocabulary size 260.
 */
export function byteTokenizer(): Tokenizer & { readonly vocabSize: number } {
  const utf8 = new TextEncoder();
  const { bos, pad, eos } = BYTE_TOKENIZER_SPECIALS;
  return {
    padTokenId: pad,
    vocabSize: 256 + BYTE_OFFSET,
    encode(textA, textB, maxLength = Infinity) {
      const a = utf8.encode(textA);
      const b = textB === undefined ? null : utf8.encode(textB);
      const specials = b ? 4 : 2;
      let la = a.length;
      let lb = b ? b.length : 0;
      const budget = maxLength - specials;
      if (!(budget >= 0)) {
        throw new GlueArgumentError(`byteTokenizer: expected maxLength ≥ ${specials} (the special tokens of one example); found ${maxLength}`);
      }
      if (la + lb > budget) {
        if (!b) la = budget;
        else {
          // HF's longest_first loop, in closed form: trim the longer side down to the shorter,
          // then alternate, taking from B first on a tie
          let over = la + lb - budget;
          const d = Math.min(over, Math.abs(la - lb));
          if (la > lb) la -= d;
          else lb -= d;
          over -= d;
          lb -= Math.ceil(over / 2);
          la -= Math.floor(over / 2);
        }
      }
      const ids = new Array<number>(la + lb + specials);
      let k = 0;
      ids[k++] = bos;
      for (let i = 0; i < la; i++) ids[k++] = a[i]! + BYTE_OFFSET;
      ids[k++] = eos;
      if (b) {
        ids[k++] = eos;
        for (let i = 0; i < lb; i++) ids[k++] = b[i]! + BYTE_OFFSET;
        ids[k++] = eos;
      }
      return { inputIds: ids };
    },
  };
}
