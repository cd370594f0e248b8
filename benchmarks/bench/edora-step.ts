import { applyAdapters } from '@edora/layers';
import { RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { getBackend, manualSeed, tensor, tidy } from '@edora/tensor';
import { AdamW, batchLoss, clipGradNorm } from '@edora/train';

/**
 * One EDoRA r = 16 training step (forward, backward, clipping, AdamW) of a RoBERTa preset on the
 * current backend, on random weights and token ids: init seconds (the adapters' SVD of the 48
 * targets for roberta-base), seconds per step, tokens/s, peak backend memory, and the live backend
 * bytes after the warm-up and after the timed steps (flat when nothing leaks across steps).
 */
export async function benchEdoraStep(preset: string, batch: number, seq: number, steps: number): Promise<Record<string, string | number>> {
  manualSeed(0);
  const config = robertaPreset(preset, { numLabels: 2 });
  const model = new RobertaForSequenceClassification(config, { seed: 0 });
  const t0 = performance.now();
  await applyAdapters(model, { method: 'edora', r: 16, alpha: 16, targetModules: ['query', 'value', 'attention.output.dense', 'output.dense'], modulesToSave: ['classifier'], seed: 0 });
  await getBackend().sync();
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
  const liveAfterWarmup = backend.memory().bytes;
  const t1 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const seconds = (performance.now() - t1) / 1000 / steps;
  const mem = backend.memory();
  opt.dispose();
  return {
    backend: backend.name, shape: `${preset} ${batch}×${seq}`, 'init s': initSeconds.toFixed(2),
    'step s': seconds.toFixed(2), 'tokens/s': Math.round((batch * seq) / seconds),
    'peak MiB': (mem.peakBytes / 2 ** 20).toFixed(0),
    'live MiB after warm-up → after': `${(liveAfterWarmup / 2 ** 20).toFixed(1)} → ${(mem.bytes / 2 ** 20).toFixed(1)}`, 'rss MiB': (Math.max(rssBefore, process.memoryUsage().rss) / 2 ** 20).toFixed(0),
  };
}
