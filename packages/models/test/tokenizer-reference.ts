import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';

// Shared helpers of the tokenizer tests: where the real files are, and the independent references.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedData = path.resolve(repoRoot, '../shared/data');
export const robertaTokenizerDir = path.join(sharedData, 'roberta-base-tokenizer');
export const glueDir = path.join(sharedData, 'glue');
export const hasRobertaFiles = existsSync(path.join(robertaTokenizerDir, 'vocab.json')) && existsSync(path.join(robertaTokenizerDir, 'merges.txt'));
export const missingRobertaFiles = `roberta-base tokenizer files not found at ${robertaTokenizerDir} (expected ../shared/data next to the repository; see shared/data/SOURCES.md)`;
if (!hasRobertaFiles) console.warn(`[@edora/models tokenizer tests] skipping real-file tests: ${missingRobertaFiles}`);

/**
 * HF's roberta-base tokenizer.json, rebuilt from vocab.json + merges.txt (no tokenizer.json exists
 * in shared/data): the settings HF's converter writes for RoBERTa — specials as added tokens with
 * `<mask>` lstrip, ByteLevel pre-tokenizer without prefix space, RobertaProcessing, BPE without
 * unk/dropout/affixes.
 */
export function robertaTokenizerJson(): Record<string, unknown> {
  const vocab = JSON.parse(readFileSync(path.join(robertaTokenizerDir, 'vocab.json'), 'utf8')) as Record<string, number>;
  const merges = readFileSync(path.join(robertaTokenizerDir, 'merges.txt'), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#version'));
  const special = (content: string, id: number, lstrip = false) => ({ id, content, single_word: false, lstrip, rstrip: false, normalized: !lstrip, special: true });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special('<s>', 0), special('<pad>', 1), special('</s>', 2), special('<unk>', 3), special('<mask>', 50264, true)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
}

/** The independent implementation: HF's tokenizers.js on the same tokenizer.json. */
export function referenceTokenizer(): Tokenizer {
  return new Tokenizer(robertaTokenizerJson(), { tokenizer_class: 'RobertaTokenizer', add_prefix_space: false, clean_up_tokenization_spaces: false });
}

/**
 * Longest-first truncation written as the literal loop (tokenizers.js has no truncation): remove
 * one token at a time from the longer sequence; on equal lengths from the one that was shorter at
 * the start (the first if they started equal). This is the rule HF tokenizers' closed form
 * implements (its own unit-test table is checked against this loop in tokenizer.test.ts).
 */
export function referenceLongestFirst(a: readonly number[], b: readonly number[] | undefined, budget: number): [number[], number[]] {
  let x = a.slice();
  let y = (b ?? []).slice();
  if (b === undefined) return [x.slice(0, Math.max(0, budget)), []];
  const firstWasShorter = a.length <= b.length;
  while (x.length + y.length > budget) {
    if (x.length > y.length) x = x.slice(0, -1);
    else if (y.length > x.length) y = y.slice(0, -1);
    else if (firstWasShorter) x = x.slice(0, -1);
    else y = y.slice(0, -1);
  }
  return [x, y];
}

/** RoBERTa's framing, written out: `<s> A </s>` or `<s> A </s></s> B </s>`. */
export function frame(a: readonly number[], b?: readonly number[]): number[] {
  return b === undefined ? [0, ...a, 2] : [0, ...a, 2, 2, ...b, 2];
}
