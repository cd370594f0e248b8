export { SpecialTokenError, TokenizerFileError } from './errors.js';
export type { FileContent } from './file-text.js';
export type { AddedToken } from './added-tokens.js';
export { ROBERTA_SPECIAL_TOKENS, type SpecialTokenNames, type TokenizerSpec } from './spec.js';
export {
  DEFAULT_MAX_LENGTH,
  RobertaTokenizer,
  type BatchEncoding,
  type BatchOptions,
  type DecodeOptions,
  type Encoding,
  type TextInput,
  type TokenizerOptions,
} from './tokenizer.js';
export { parseMergesTxt, parseVocabJson, tokenizerFromVocabMerges, type VocabMergesOptions } from './vocab-merges.js';
export { tokenizerFromJson, type TokenizerJsonOptions } from './tokenizer-json.js';
export { BYTE_LEVEL_IDS, byteLevelTokenizer } from './byte-level.js';
export { BYTE_TO_CHAR, CHAR_TO_BYTE } from './byte-unicode.js';
export { hasTokenizerFiles, tokenizerOfFolder, type LoadTokenizerOptions } from './folder.js';
