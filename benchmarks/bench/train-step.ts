/**
 * One training step (forward, backward, clipping, AdamW) of RoBERTa with EDoRA r = 16 on the
 * EDoRA setup's targets, for the `tiny` preset at batch 32 × 128 and `roberta-base` at 8 × 128
 * (CPU; 32 × 128 where a GPU backend is registered): tokens/s and peak backend memory.
 * Random weights and random token ids: the cost of a step does not depend on their values.
 *
 *   pnpm --filter @edora/benchmarks bench:train            (both shapes; roberta-base takes minutes on CPU)
 *   pnpm --filter @edora/benchmarks bench:train -- tiny    (one shape)
 *   pnpm --filter @edora/benchmarks bench:train -- roberta-base wasm   (one shape on one backend)
 */
import { registeredBackends, setBackend } from '@edora/tensor';
import { benchEdoraStep } from './edora-step.js';

const SHAPES = [
  { preset: 'tiny', batch: 32, seq: 128, steps: 5 },
  { preset: 'roberta-base', batch: 8, seq: 128, steps: 1 },
] as const;

// every backend this checkout can register: cpu always, wasm when its package is installed
try {
  await import('@edora/backend-wasm/register');
} catch (e) {
  console.log(`wasm backend not available: ${(e as Error).message.split('\n')[0]}`);
}

// `pnpm … bench:train -- tiny` hands the script a literal `--` first
const [only, onlyBackend] = process.argv.slice(2).filter((a) => a !== '--');
const rows: Record<string, string | number>[] = [];
for (const { name } of registeredBackends()) {
  if (onlyBackend && name !== onlyBackend) continue;
  await setBackend(name);
  for (const s of SHAPES) {
    if (only && s.preset !== only) continue;
    rows.push(await benchEdoraStep(s.preset, s.batch, s.seq, s.steps));
    console.log(JSON.stringify(rows.at(-1)));
  }
}
const cols = Object.keys(rows[0] ?? {});
console.log(`\n| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
