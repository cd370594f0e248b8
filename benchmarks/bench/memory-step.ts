import { performance } from 'node:perf_hooks';
import { keep, manualSeed, tensor, tidy, useBackend } from '@edora/tensor';
import { applyAdapters } from '@edora/layers';
import { RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { createWasmBackend } from '@edora/backend-wasm/node';

// Issue 15 item 8: where a training step's memory goes on the wasm backend. One EDoRA step
// (r = 16 on query, value, attention.output.dense, output.dense; head trained; train mode) of a
// preset at batch × 128, its batch split into micro-batches of MICRO rows whose gradients add up
// (each loss scaled by rows/batch, as fit does). Prints, per step: the peak of live backend bytes
// (memory().peakBytes), the wasm memory reserved by the heap (live + pooled blocks, never given
// back), the pooled bytes, the process's peak RSS, and the step's wall time. Memory numbers do not
// depend on the machine's load; times do.
// Run: pnpm --filter @edora/benchmarks bench:memory -- <preset> <batch> [micro] [steps]

const PRESET = process.argv[2] ?? 'tiny';
const BATCH = Number(process.argv[3] ?? 32);
const MICRO = Number(process.argv[4] ?? BATCH);
const STEPS = Number(process.argv[5] ?? 2);
const SEQ = 128;
const MiB = 2 ** 20;

const config = robertaPreset(PRESET, { numLabels: 2 });
const backend = createWasmBackend();
useBackend(backend);
manualSeed(0);
const model = new RobertaForSequenceClassification(config, { seed: 0 });
await applyAdapters(model, { method: 'edora', r: 16, alpha: 16, targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'], modulesToSave: ['classifier'], seed: 0 });
model.train();
const params = model.parameters().filter((p) => p.requiresGrad);
const ids = new Int32Array(BATCH * SEQ);
let seed = 12345;
for (let i = 0; i < ids.length; i++) {
  seed = (seed * 1103515245 + 12345) >>> 0;
  ids[i] = i % SEQ === 0 ? 0 : 4 + (seed % (config.vocabSize - 5));
}
const micro: { inputIds: ReturnType<typeof tensor>; labels: ReturnType<typeof tensor>; rows: number }[] = [];
for (let r = 0; r < BATCH; r += MICRO) {
  const rows = Math.min(MICRO, BATCH - r);
  micro.push({
    inputIds: keep(tensor(ids.slice(r * SEQ, (r + rows) * SEQ), [rows, SEQ])),
    labels: keep(tensor(Int32Array.from({ length: rows }, (_, i) => (r + i) % 2), [rows])),
    rows,
  });
}
const base = backend.memory();
console.log(`${PRESET} batch ${BATCH}×${SEQ}, micro-batches of ${MICRO}, wasm ${backend.threads ?? '?'} threads; before the first step: live ${(base.bytes / MiB).toFixed(0)} MiB, reserved ${(backend.reservedBytes / MiB).toFixed(0)} MiB`);
for (let s = 0; s < STEPS; s++) {
  const t0 = performance.now();
  for (const m of micro) {
    const loss = tidy(() => {
      const l = model.loss(model.forward({ inputIds: m.inputIds }), m.labels);
      return m.rows === BATCH ? l : l.mul(m.rows / BATCH);
    });
    loss.backward();
    loss.dataSync();
    loss.dispose();
  }
  for (const p of params) {
    p.grad?.dispose();
    p.grad = null;
  }
  const ms = performance.now() - t0;
  const mem = backend.memory();
  console.log(
    `step ${s + 1}: ${(ms / 1000).toFixed(1)} s; peak live ${(mem.peakBytes / MiB).toFixed(0)} MiB, reserved ${(backend.reservedBytes / MiB).toFixed(0)} MiB, ` +
      `pooled ${((mem.pooledBytes ?? 0) / MiB).toFixed(0)} MiB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
}
process.exit(0);
