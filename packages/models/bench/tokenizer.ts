import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@huggingface/tokenizers';
import { loadTokenizer } from '../src/node.js';

// Tokenizer throughput on real text: every sentence of GLUE SST-2 train (67 349) and every pair of
// RTE train (2 490, long premises, truncated to 128), read from ../shared/data. A cold pass starts
// with an empty word cache; a warm pass reuses it. HF's tokenizers.js on the same files is the
// yardstick. ROBERTA_BENCH_TOKENIZER=0 skips it.

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../../..');
const data = resolve(repoRoot, '../shared/data');
const tokenizerDir = join(data, 'roberta-base-tokenizer');

function column(file: string, columns: number[]): string[][] {
  return readFileSync(join(data, 'glue', file), 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split('\t');
      return columns.map((c) => fields[c]!);
    });
}

function referenceJson(): object {
  const vocab = JSON.parse(readFileSync(join(tokenizerDir, 'vocab.json'), 'utf8')) as Record<string, number>;
  const merges = readFileSync(join(tokenizerDir, 'merges.txt'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#version'));
  const special = (content: string, id: number, lstrip = false) => ({ id, content, lstrip, rstrip: false, single_word: false, normalized: !lstrip, special: true });
  return {
    added_tokens: [special('<s>', 0), special('<pad>', 1), special('</s>', 2), special('<unk>', 3), special('<mask>', 50264, true)],
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', vocab, merges },
  };
}

interface Row {
  what: string;
  inputs: number;
  ms: number;
  tokens: number;
}

function time(what: string, inputs: number, run: () => number): Row {
  const t = performance.now();
  const tokens = run();
  return { what, inputs, ms: performance.now() - t, tokens };
}

export async function main(): Promise<void> {
  if (process.env.ROBERTA_BENCH_TOKENIZER === '0') return;
  if (!existsSync(join(tokenizerDir, 'vocab.json')) || !existsSync(join(data, 'glue', 'SST-2', 'train.tsv'))) {
    console.log(`@edora/models tokenizer bench skipped: real data not found under ${data} (see shared/data/SOURCES.md)`);
    return;
  }
  const sst2 = column('SST-2/train.tsv', [0]).map((r) => r[0]!);
  const rte = column('RTE/train.tsv', [1, 2]) as [string, string][];
  const rows: Row[] = [];

  let t = performance.now();
  const tok = await loadTokenizer(tokenizerDir);
  const loadMs = performance.now() - t;
  const encodeAll = () => sst2.reduce((n, s) => n + tok.encode(s).inputIds.length, 0);
  rows.push(time('SST-2 train, encode, cold cache', sst2.length, encodeAll));
  rows.push(time('SST-2 train, encode, warm cache', sst2.length, encodeAll));
  rows.push(
    time('SST-2 train, encodeBatch ×32 (padded)', sst2.length, () => {
      let n = 0;
      for (let i = 0; i < sst2.length; i += 32) n += tok.encodeBatch(sst2.slice(i, i + 32)).lengths.reduce((a, b) => a + b, 0);
      return n;
    }),
  );
  const tokCold = await loadTokenizer(tokenizerDir);
  rows.push(time('RTE train pairs, encode (truncated to 128), cold', rte.length, () => rte.reduce((n, [a, b]) => n + tokCold.encode(a, b).inputIds.length, 0)));

  t = performance.now();
  const reference = new Tokenizer(referenceJson(), { tokenizer_class: 'RobertaTokenizer' });
  const refLoadMs = performance.now() - t;
  const refAll = () => sst2.reduce((n, s) => n + reference.encode(s).ids.length, 0);
  rows.push(time('HF tokenizers.js 0.2.0: SST-2 train, first pass', sst2.length, refAll));
  rows.push(time('HF tokenizers.js 0.2.0: SST-2 train, second pass', sst2.length, refAll));

  console.log(`\n@edora/models tokenizer (roberta-base vocab.json + merges.txt; Node ${process.version})`);
  console.log(`load: ${loadMs.toFixed(0)} ms (tokenizers.js: ${refLoadMs.toFixed(0)} ms from the parsed JSON)\n`);
  console.log('| run | inputs | tokens | ms | inputs/s | tokens/s |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const perS = (n: number) => Math.round((n / r.ms) * 1000).toLocaleString('en-US');
    console.log(`| ${r.what} | ${r.inputs} | ${r.tokens} | ${r.ms.toFixed(0)} | ${perS(r.inputs)} | ${perS(r.tokens)} |`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
