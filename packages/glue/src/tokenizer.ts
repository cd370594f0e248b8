/**
 * The one thing @edora/glue needs from a tokenizer. Any tokenizer fits (the RoBERTa BPE or the
 * byte-level `byteLevelTokenizer()` of @edora/models, a wrapper around another library): `encode`
 * returns the ids of one example, with its special tokens and truncated to `maxLength`, without
 * padding — batching pads.
 * If it pads anyway, it must return `attentionMask` (1 for real tokens, then 0s) so the padding can
 * be told apart.
 */
export interface Tokenizer {
  encode(textA: string, textB?: string, maxLength?: number): { inputIds: ArrayLike<number>; attentionMask?: ArrayLike<number> };
  /** The id batching writes into padded positions. */
  readonly padTokenId: number;
}
