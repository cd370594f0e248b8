// Node-only: reads a tokenizer from a model folder. Exported from `@edora/models/node`.
import { readdir } from 'node:fs/promises';
import { directoryFolder } from '../checkpoint/node/folder-source.js';
import { TokenizerFileError } from './errors.js';
import { tokenizerOfFolder, type LoadTokenizerOptions } from './folder.js';
import type { RobertaTokenizer } from './tokenizer.js';


/** The tokenizer of a model folder on disk (see `tokenizerOfFolder`). */
export async function loadTokenizer(dir: string, options: LoadTokenizerOptions = {}): Promise<RobertaTokenizer> {
  try {
    await readdir(dir);
  } catch (cause) {
    throw new TokenizerFileError(dir, undefined, 'expected a folder with tokenizer.json or vocab.json + merges.txt; it cannot be read', { cause });
  }
  return tokenizerOfFolder(await directoryFolder(dir), options);
}
