import type { AddedToken } from './added-tokens.js';

/** The strings of RoBERTa's special tokens. */
export interface SpecialTokenNames {
  /** Starts every input (`<s>`, HF's cls/bos). */
  readonly bos: string;
  /** Ends every sequence, and doubles between the two of a pair (`</s>`, HF's sep/eos). */
  readonly eos: string;
  /** Fills padded positions (`<pad>`). */
  readonly pad: string;
  /** `<unk>`: in the vocabulary, never produced by byte-level BPE (every byte has a token). */
  readonly unk?: string | undefined;
  /** `<mask>`, for masked-language-model inputs. */
  readonly mask?: string | undefined;
}

export const ROBERTA_SPECIAL_TOKENS: Required<SpecialTokenNames> = {
  bos: '<s>',
  eos: '</s>',
  pad: '<pad>',
  unk: '<unk>',
  mask: '<mask>',
};

/**
 * Everything a byte-level BPE tokenizer is built from, whatever file it came from. The readers
 * (`vocab.json` + `merges.txt`, `tokenizer.json`) produce it; the tokenizer validates it and
 * reports problems at the file and line that `mergeLocation` / `vocabFile` name.
 */
export interface TokenizerSpec {
  /** The BPE model's tokens → ids (the byte-level characters of BYTE_TO_CHAR, not raw text). */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merge rules in rank order (rank 0 is applied first). */
  readonly merges: readonly (readonly [string, string])[];
  /** Tokens matched in the raw text before BPE (RoBERTa's specials). */
  readonly addedTokens: readonly AddedToken[];
  readonly specialTokens: SpecialTokenNames;
  /** Prepend a space to text that does not start with one (HF ByteLevel `add_prefix_space`). */
  readonly addPrefixSpace: boolean;
  /** Name of the file the vocabulary came from, for messages. */
  readonly vocabFile: string;
  /** File and line of the merge of a rank, for messages. */
  mergeLocation(rank: number): { file: string; line: number | undefined };
}

/**
 * Ids are stored as int32 (batches are Int32Array rows), so a file's id must lie in [0, 2^31): a
 * larger one would come back negative from `encode` and make `vocabSize` billions.
 */
export const TOKEN_ID_LIMIT = 2 ** 31;

export function isTokenId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < TOKEN_ID_LIMIT;
}
