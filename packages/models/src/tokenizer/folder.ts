import type { ModelFolder } from '../checkpoint/folder.js';
import { TokenizerFileError } from './errors.js';
import type { RobertaTokenizer } from './tokenizer.js';
import { tokenizerFromJson, type TokenizerJsonOptions } from './tokenizer-json.js';
import { tokenizerFromVocabMerges, type VocabMergesOptions } from './vocab-merges.js';

export type LoadTokenizerOptions = Omit<VocabMergesOptions, 'vocabFile' | 'mergesFile'> & Omit<TokenizerJsonOptions, 'file'>;

/** Whether a folder holds a tokenizer: tokenizer.json, or vocab.json + merges.txt. */
export function hasTokenizerFiles(folder: ModelFolder): boolean {
  return folder.files.includes('tokenizer.json') || (folder.files.includes('vocab.json') && folder.files.includes('merges.txt'));
}

/**
 * The tokenizer of a model folder: `tokenizer.json` when there is one (it is what HF's fast
 * tokenizer reads), else `vocab.json` + `merges.txt`. Error messages name the files by their path.
 * `specialTokens` and `addPrefixSpace` apply to vocab.json + merges.txt only (tokenizer.json says
 * them itself).
 */
export async function tokenizerOfFolder(folder: ModelFolder, options: LoadTokenizerOptions = {}): Promise<RobertaTokenizer> {
  const names = folder.files;
  if (names.includes('tokenizer.json')) {
    return tokenizerFromJson(await folder.readBytes('tokenizer.json'), { ...options, file: folder.pathOf('tokenizer.json') });
  }
  if (names.includes('vocab.json') && names.includes('merges.txt')) {
    const [vocab, merges] = await Promise.all([folder.readBytes('vocab.json'), folder.readBytes('merges.txt')]);
    return tokenizerFromVocabMerges(vocab, merges, { ...options, vocabFile: folder.pathOf('vocab.json'), mergesFile: folder.pathOf('merges.txt') });
  }
  const present = names.filter((n) => /\.(json|txt|model)$/.test(n));
  throw new TokenizerFileError(folder.description, undefined, `expected tokenizer.json, or vocab.json + merges.txt; found ${present.length > 0 ? present.join(', ') : 'neither'}`);
}
