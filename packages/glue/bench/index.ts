import { existsSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { batches, collect, computeGlueMetrics, tokenizeStream } from '@edora/glue';
import { streamGlueTask } from '@edora/glue/node';
import { charTokenizer } from '../test/char-tokenizer.js';

// SST-2 train (67,349 rows, 3.8 MB) streamed from the GLUE TSV, tokenized with the tests'
// one-id-per-character stand-in, and batched; plus metrics over 400k items. Run: pnpm --filter @edora/glue bench.
// Numbers go to docs/benchmarks.md, section "@edora/glue".
const dataDir = resolve(import.meta.dirname, '../../../../shared/data/glue');
if (!existsSync(dataDir)) {
  console.log(`@edora/glue bench skipped: real GLUE data not found at ${dataDir} (expected ../shared/data/glue next to the repository)`);
  process.exit(0);
}

/** Median wall time in ms over `reps` runs after one warm-up. */
async function timeMs(fn: () => Promise<unknown> | unknown, reps = 5): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

// glue measures itself without the packages above it: the tests' one-id-per-character stand-in
const tokenizer = charTokenizer();
const rows = (await collect(streamGlueTask(dataDir, 'sst2', 'train'))).length;
const load = await timeMs(() => collect(streamGlueTask(dataDir, 'sst2', 'train')));
const loadTokenize = await timeMs(() => tokenizeStream(streamGlueTask(dataDir, 'sst2', 'train'), tokenizer, { maxLength: 128 }));
const ds = await tokenizeStream(streamGlueTask(dataDir, 'sst2', 'train'), tokenizer, { maxLength: 128 });
const epoch = (padding: 'max_length' | 'longest') => async (): Promise<void> => {
  for (const batch of batches(ds, { batchSize: 32, shuffle: true, seed: 1, padding })) void batch;
};
const epochMax = await timeMs(epoch('max_length'));
const epochLongest = await timeMs(epoch('longest'));

const n = 400_000;
const preds = new Int32Array(n).map((_, i) => (i * 7919) % 3 === 0 ? 1 : 0);
const refs = new Int32Array(n).map((_, i) => (i * 104729) % 5 < 2 ? 1 : 0);
const scores = new Float32Array(n).map((_, i) => ((i * 7919) % 10007) / 2001.4);
const gold = new Float32Array(n).map((_, i) => ((i * 7919) % 10007 + ((i * 31) % 977)) / 2200);
const qqpMetrics = await timeMs(() => computeGlueMetrics('qqp', preds, refs));
const stsbMetrics = await timeMs(() => computeGlueMetrics('stsb', scores, gold));

const perSec = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString('en');
console.log(`# @edora/glue bench — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg()[0]!.toFixed(2)}`);
console.log(`SST-2 train: ${rows} rows, ${ds.ids.length.toLocaleString('en')} tokens (max length 128)\n`);
console.log(
  table(['operation', 'ms', 'rows/s'], [
    ['load SST-2 train (stream TSV → examples)', load.toFixed(0), perSec(rows, load)],
    ['load + tokenize (tokenizeStream)', loadTokenize.toFixed(0), perSec(rows, loadTokenize)],
    ['one shuffled epoch, batch 32, padding max_length (128)', epochMax.toFixed(0), perSec(rows, epochMax)],
    ['one shuffled epoch, batch 32, padding longest', epochLongest.toFixed(0), perSec(rows, epochLongest)],
    ['metrics, qqp (accuracy, F1), 400k items', qqpMetrics.toFixed(1), perSec(n, qqpMetrics)],
    ['metrics, stsb (Pearson, Spearman), 400k items', stsbMetrics.toFixed(1), perSec(n, stsbMetrics)],
  ]),
);
