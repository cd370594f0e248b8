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
import { applyAdapters } from '@edora/layers';
import { RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { getBackend, manualSeed, registeredBackends, setBackend, tensor, tidy } from '@edora/tensor';
import { AdamW, batchLoss, clipGradNorm } from '@edora/train';

const SHAPES = [
  { preset: 'tiny', batch: 32, seq: 128, steps: 5 },
  { preset: 'roberta-base', batch: 8, seq: 128, steps: 1 },
] as const;

async function benchOne(preset: string, batch: number, seq: number, steps: number): Promise<Record<string, string | number>> {
  manualSeed(0);
  const config = robertaPreset(preset, { numLabels: 2 });
  const model = new RobertaForSequenceClassification(config, { seed: 0 });
  const t0 = performance.now();
  await applyAdapters(model, { method: 'edora', r: 16, alpha: 16, targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'], modulesToSave: ['classifier'], seed: 0 });
  const initSeconds = (performance.now() - t0) / 1000;
  model.train(true);
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad).map(([name, t]) => ({ name, tensor: t }));
  const opt = new AdamW([{ name: 'all', params, lr: 1e-4 }]);
  const ids = new Int32Array(batch * seq);
  for (let i = 0; i < ids.length; i++) ids[i] = 4 + ((i * 7919) % (config.vocabSize - 4));
  const mask = new Int32Array(batch * seq).fill(1);
  const labels = new Int32Array(batch).map((_, i) => i % 2);
  const b = { batchSize: batch, seqLength: seq, inputIds: ids, attentionMask: mask, labels, idx: new Int32Array(batch) };
  const step = async (): Promise<void> => {
    const loss = tidy(() => {
      const logits = model.forward({ inputIds: tensor(ids, [batch, seq]), attentionMask: tensor(mask, [batch, seq]) });
      const l = batchLoss(logits, b, 'classification');
      l.backward();
      return l.detach();
    });
    await loss.item();
    loss.dispose();
    await clipGradNorm(params.map((p) => p.tensor), 1);
    opt.step();
    opt.zeroGrad();
  };
  await step(); // warm-up: first-touch allocations and caches
  const backend = getBackend();
  backend.resetPeak?.();
  const rssBefore = process.memoryUsage().rss;
  const t1 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - t1) / 1000 / steps;
  const mem = backend.memory();
  opt.dispose();
  return {
    backend: backend.name, shape: `${preset} ${batch}×${seq}`, 'init s': initSeconds.toFixed(1),
    'step s': seconds.toFixed(2), 'tokens/s': Math.round((batch * seq) / seconds),
    'peak MiB': (mem.peakBytes / 2 ** 20).toFixed(0), 'rss MiB': (Math.max(rssBefore, process.memoryUsage().rss) / 2 ** 20).toFixed(0),
  };
}

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
    rows.push(await benchOne(s.preset, s.batch, s.seq, s.steps));
    console.log(JSON.stringify(rows.at(-1)));
  }
}
const cols = Object.keys(rows[0] ?? {});
console.log(`\n| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
