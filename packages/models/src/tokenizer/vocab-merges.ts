import type { AddedToken } from './added-tokens.js';
import { SpecialTokenError, TokenizerFileError } from './errors.js';
import { fileText, isPlainObject, lineAt, parseJsonFile, type FileContent } from './file-text.js';
import { formatValue } from '@edora/tensor';
import { ROBERTA_SPECIAL_TOKENS, isTokenId, type SpecialTokenNames, type TokenizerSpec } from './spec.js';
import { RobertaTokenizer, type TokenizerOptions } from './tokenizer.js';

export interface VocabMergesOptions extends TokenizerOptions {
  /** RoBERTa's (`<s>`, `</s>`, `<pad>`, `<unk>`, `<mask>`) unless replaced; `undefined` drops unk/mask. */
  readonly specialTokens?: Partial<SpecialTokenNames>;
  /** HF ByteLevel `add_prefix_space` (RoBERTa: false). */
  readonly addPrefixSpace?: boolean;
  /** Names used in error messages. Default `vocab.json`, `merges.txt`. */
  readonly vocabFile?: string;
  readonly mergesFile?: string;
}

/**
 * The tokenizer of a `vocab.json` (token → id) and `merges.txt` (`#version` header, then one
 * `left right` merge per line, highest priority first), the files of HF's slow RobertaTokenizer.
 * Special tokens become added tokens as HF's converter makes them: matched in the text, `<mask>`
 * also taking the whitespace before it.
 */
export function tokenizerFromVocabMerges(vocabJson: FileContent, mergesTxt: FileContent, options: VocabMergesOptions = {}): RobertaTokenizer {
  const vocabFile = options.vocabFile ?? 'vocab.json';
  const mergesFile = options.mergesFile ?? 'merges.txt';
  const vocab = parseVocabJson(vocabJson, vocabFile);
  const { merges, lines } = parseMergesTxt(mergesTxt, mergesFile);
  const specialTokens: SpecialTokenNames = { ...ROBERTA_SPECIAL_TOKENS, ...options.specialTokens };
  const spec: TokenizerSpec = {
    vocab,
    merges,
    addedTokens: specialAddedTokens(specialTokens, vocab, vocabFile),
    specialTokens,
    addPrefixSpace: options.addPrefixSpace ?? false,
    vocabFile,
    mergeLocation: (rank) => ({ file: mergesFile, line: lines[rank] }),
  };
  return new RobertaTokenizer(spec, options);
}

/** `vocab.json`: an object of token → integer id in [0, 2^31), ids distinct. */
export function parseVocabJson(content: FileContent, file = 'vocab.json'): Map<string, number> {
  const text = fileText(content, file);
  const json = parseJsonFile(text, file);
  if (!isPlainObject(json)) {
    throw new TokenizerFileError(file, 1, `expected a JSON object of token → id; found ${Array.isArray(json) ? 'an array' : typeof json}`);
  }
  const vocab = new Map<string, number>();
  const tokenOfId = new Map<number, string>();
  // Only on error: the line of a token's key, so a bad entry can be found in the file.
  const lineOf = (token: string): number | undefined => {
    const at = text.indexOf(`${JSON.stringify(token)}:`);
    return at < 0 ? undefined : lineAt(text, at);
  };
  for (const [token, id] of Object.entries(json)) {
    if (!isTokenId(id)) {
      throw new TokenizerFileError(file, lineOf(token), `expected an integer id in [0, 2^31) for token ${formatValue(token)}; found ${formatValue(id)}`);
    }
    const other = tokenOfId.get(id);
    if (other !== undefined) {
      throw new TokenizerFileError(file, lineOf(token), `expected distinct ids; tokens ${formatValue(other)} and ${formatValue(token)} both have id ${id}`);
    }
    tokenOfId.set(id, token);
    vocab.set(token, id);
  }
  return vocab;
}

/**
 * `merges.txt`: `#version` lines are skipped, every other line is two tokens separated by one
 * space. `lines[rank]` is the 1-based line of each merge, for error messages.
 */
export function parseMergesTxt(content: FileContent, file = 'merges.txt'): { merges: [string, string][]; lines: number[] } {
  const text = fileText(content, file);
  const rows = text.split('\n');
  if (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
  const merges: [string, string][] = [];
  const lines: number[] = [];
  rows.forEach((raw, i) => {
    const row = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (row.startsWith('#version')) return;
    const parts = row.split(' ');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new TokenizerFileError(file, i + 1, `expected a merge "left right" (two tokens, one space); found ${formatValue(row)}`);
    }
    merges.push([parts[0]!, parts[1]!]);
    lines.push(i + 1);
  });
  return { merges, lines };
}

function specialAddedTokens(names: SpecialTokenNames, vocab: ReadonlyMap<string, number>, vocabFile: string): AddedToken[] {
  const roles = Object.entries(names).filter((e): e is [string, string] => typeof e[1] === 'string');
  return roles.map(([role, content]) => {
    const id = vocab.get(content);
    if (id === undefined) {
      throw new SpecialTokenError(content, `special token ${role} = ${JSON.stringify(content)} is not in ${vocabFile}; pass specialTokens: { ${role}: ... } naming a token it has${role === 'unk' || role === 'mask' ? `, or ${role}: undefined for none` : ''}`);
    }
    return { id, content, special: true, lstrip: role === 'mask', rstrip: false, singleWord: false };
  });
}
