// Node-only: reads a tokenizer from a model folder. Exported from `@edora/models/node`.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TokenizerFileError } from './errors.js';
import type { RobertaTokenizer } from './tokenizer.js';
import { tokenizerFromJson, type TokenizerJsonOptions } from './tokenizer-json.js';
import { tokenizerFromVocabMerges, type VocabMergesOptions } from './vocab-merges.js';

export type LoadTokenizerOptions = Omit<VocabMergesOptions, 'vocabFile' | 'mergesFile'> & Omit<TokenizerJsonOptions, 'file'>;

/**
 * The tokenizer of a model folder: `tokenizer.json` when there is one (it is what HF's fast
 * tokenizer reads), else `vocab.json` + `merges.txt`. Error messages name the files by their path.
 * `specialTokens` and `addPrefixSpace` apply to vocab.json + merges.txt only (tokenizer.json says
 * them itself).
 */
export async function loadTokenizer(dir: string, options: LoadTokenizerOptions = {}): Promise<RobertaTokenizer> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new TokenizerFileError(dir, undefined, 'expected a folder with tokenizer.json or vocab.json + merges.txt; it cannot be read', { cause });
  }
  if (names.includes('tokenizer.json')) {
    const file = join(dir, 'tokenizer.json');
    return tokenizerFromJson(await readFile(file), { ...options, file });
  }
  if (names.includes('vocab.json') && names.includes('merges.txt')) {
    const vocabFile = join(dir, 'vocab.json');
    const mergesFile = join(dir, 'merges.txt');
    const [vocab, merges] = await Promise.all([readFile(vocabFile), readFile(mergesFile)]);
    return tokenizerFromVocabMerges(vocab, merges, { ...options, vocabFile, mergesFile });
  }
  const present = names.filter((n) => /\.(json|txt|model)$/.test(n));
  throw new TokenizerFileError(dir, undefined, `expected tokenizer.json, or vocab.json + merges.txt; found ${present.length > 0 ? present.join(', ') : 'neither'}`);
}
