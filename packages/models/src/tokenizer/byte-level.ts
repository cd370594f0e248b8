import { BYTE_TO_CHAR } from './byte-unicode.js';
import { ROBERTA_SPECIAL_TOKENS } from './spec.js';
import { RobertaTokenizer, type TokenizerOptions } from './tokenizer.js';

/** Ids of the byte-level tokenizer: RoBERTa's four specials first, then byte b at 4 + b, then `<mask>`. */
export const BYTE_LEVEL_IDS = { bos: 0, pad: 1, eos: 2, unk: 3, firstByte: 4, mask: 260 } as const;

/**
 * A tokenizer that needs no files, for the `tiny` preset: every UTF-8 byte is one token (no
 * merges), with RoBERTa's special tokens and framing. 261 ids: `<s>` 0, `<pad>` 1, `</s>` 2,
 * `<unk>` 3, bytes 4..259, `<mask>` 260. The project's one byte-level tokenizer: the CLI's
 * presets, the tests of @edora/train and the `tiny` preset all use this one.
 */
export function byteLevelTokenizer(options: TokenizerOptions = {}): RobertaTokenizer {
  const { bos, pad, eos, unk, firstByte, mask } = BYTE_LEVEL_IDS;
  const specials = [
    [ROBERTA_SPECIAL_TOKENS.bos, bos],
    [ROBERTA_SPECIAL_TOKENS.pad, pad],
    [ROBERTA_SPECIAL_TOKENS.eos, eos],
    [ROBERTA_SPECIAL_TOKENS.unk, unk],
    [ROBERTA_SPECIAL_TOKENS.mask, mask],
  ] as const;
  const vocab = new Map<string, number>(BYTE_TO_CHAR.map((ch, b) => [ch, firstByte + b]));
  for (const [content, id] of specials) vocab.set(content, id);
  return new RobertaTokenizer(
    {
      vocab,
      merges: [],
      addedTokens: specials.map(([content, id]) => ({ id, content, special: true, lstrip: id === mask, rstrip: false, singleWord: false })),
      specialTokens: ROBERTA_SPECIAL_TOKENS,
      addPrefixSpace: false,
      vocabFile: 'byteLevelTokenizer()',
      mergeLocation: () => ({ file: 'byteLevelTokenizer()', line: undefined }),
    },
    options,
  );
}
