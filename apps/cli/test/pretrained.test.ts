import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@edora/tensor';
import { selectBackend } from '../src/backends.js';
import { mergeAndUnload } from '@edora/layers';
import { evaluate, fit } from '@edora/train';
import { loadSplits, tokenize } from '../src/data.js';
import { buildModel, numLabelsOf, type Method } from '../src/setup.js';
import { hasSst2, hasTinyRoberta, sharedData, tinyRoberta } from './helpers.js';

// About 20 s on the wasm backend on 2 shared cores (32 rows, length 48: the CPU the suite spends here was cut by half) (about 10 minutes on the cpu backend under load).
// Its recorded numbers are in docs/benchmarks.md (## @edora/train).
const ready = hasSst2 && hasTinyRoberta;
const reason = `needs ${tinyRoberta} (pretrained tiny RoBERTa) and ${sharedData}/glue/SST-2; absent here`;

/**
 * The project's pretrained tiny RoBERTa (4 layers, hidden 256, roberta-base vocabulary) fine-tuned
 * with EDoRA, DoRA and LoRA on a small SST-2 slice, with its own BPE tokenizer. Kept small for
 * 2 shared cores; the numbers are printed (vitest shows them) as a record, not as a benchmark.
 */
describe.skipIf(!ready)(`pretrained tiny-roberta-mlm on SST-2 (${ready ? 'real model and data' : reason})`, () => {
  // the wasm backend when installed (about 5× the cpu backend here); the numerics are the same ops
  let backend = 'cpu';
  beforeAll(async () => {
    backend = await selectBackend('wasm').then(() => 'wasm', () => 'cpu');
  });
  afterAll(async () => {
    await setBackend('cpu');
  });

  it('fine-tunes with EDoRA, DoRA and LoRA: the training loss falls and accuracy is computed', async () => {
    const seed = 2;
    const splits = await loadSplits({ task: 'sst2', dataDir: `${sharedData}/glue`, maxTrainSamples: 32, maxEvalSamples: 32, seed });
    const record: Record<string, unknown>[] = [];
    for (const method of ['edora', 'dora', 'lora'] as Method[]) {
      const built = await buildModel({ model: tinyRoberta, method, rank: 8, alpha: 16, sigma: 1e-5, init: 'svd', seed, numLabels: numLabelsOf(splits.spec) });
      const train = tokenize(splits.train, built.tokenizer, splits.spec, 48);
      const validation = tokenize(splits.validation.validation!, built.tokenizer, splits.spec, 48);
      const before = (await evaluate(built.classifier, 'sst2', train, 48)).loss;
      const t0 = Date.now();
      const results = await fit({
        model: built.classifier, groups: built.groups(2e-3, 2e-3), task: 'sst2', train, validation,
        epochs: 3, batchSize: 16, seed, padding: 'longest',
      });
      const after = (await evaluate(built.classifier, 'sst2', train, 48)).loss;
      record.push({ method, trainable: built.trainable, trainLossBefore: before, trainLossAfter: after, accuracy: results.last!.metrics.accuracy, seconds: (Date.now() - t0) / 1000 });
      expect(after, method).toBeLessThan(before);
      if (method === 'edora') {
        // merged into the base weights, the model predicts exactly as with the adapter
        const unmerged = await evaluate(built.classifier, 'sst2', validation, 48);
        mergeAndUnload(built.model);
        const merged = await evaluate(built.classifier, 'sst2', validation, 48);
        expect(Array.from(merged.predictions)).toEqual(Array.from(unmerged.predictions));
        expect(Math.abs(merged.loss - unmerged.loss)).toBeLessThan(1e-5);
      }
      // the metric is accuracy over the 32 dev rows, recomputed here from the model's predictions
      const ev = await evaluate(built.classifier, 'sst2', validation, 48);
      let correct = 0;
      for (let i = 0; i < validation.size; i++) correct += ev.predictions[i] === validation.labels![i] ? 1 : 0;
      expect(results.last!.metrics.accuracy, method).toBe(correct / validation.size);
    }
    console.log(`tiny-roberta-mlm on 32 SST-2 rows, 3 epochs, backend ${backend}:\n` + record.map((r) => JSON.stringify(r)).join('\n'));
  }, 600_000);
});
