import { describe, expect, it } from 'vitest';
import { tokenizeExamples, type Batch, type GlueExample } from '@edora/glue';
import { byteLevelTokenizer, headAndAdapterGroups, RobertaForSequenceClassification, robertaPreset, sequenceClassifierOf } from '@edora/models';
import { BackendError, manualSeed, type Tensor } from '@edora/tensor';
import { decodeCheckpoint, fit, splitBatch, type SequenceClassifier, type StepRecord } from '../src/index.js';

// Micro-batches (issue 15 item 8): a batch of 32 run as 4 × 8 rows gives the optimizer the same
// gradient as the whole batch, within float32 summation error, on the tiny RoBERTa preset with
// every parameter trained; and an out-of-memory in a forward or backward pass ('auto') leaves no
// trace: the run equals one that chose the smaller micro-batch from the start, bit for bit.

const WORDS = ['good', 'bad', 'fine', 'awful', 'great', 'poor', 'film', 'plot', 'actor', 'scene'];
function examples(n: number): GlueExample[] {
  return Array.from({ length: n }, (_, i) => ({
    idx: i,
    textA: Array.from({ length: 3 + (i % 7) }, (_, k) => WORDS[(i * 7 + k * 3) % WORDS.length]).join(' '),
    label: i % 3 === 0 ? 1 : 0,
  }));
}
const train = tokenizeExamples(examples(64), byteLevelTokenizer(), { maxLength: 48 });
const validation = tokenizeExamples(examples(16), byteLevelTokenizer(), { maxLength: 48 });

interface Run {
  steps: StepRecord[];
  notes: string[];
  params: Float32Array[];
  checkpoints: Uint8Array[];
}

async function run(dropout: number, microBatchSize: number | 'auto', wrap?: (c: SequenceClassifier) => SequenceClassifier, resume?: Uint8Array): Promise<Run> {
  manualSeed(11);
  const config = robertaPreset('tiny', { numLabels: 2, hiddenDropoutProb: dropout, attentionProbsDropoutProb: dropout });
  const model = new RobertaForSequenceClassification(config, { seed: 3 });
  model.train();
  const steps: StepRecord[] = [];
  const notes: string[] = [];
  const checkpoints: Uint8Array[] = [];
  const classifier = sequenceClassifierOf(model);
  await fit({
    model: wrap ? wrap(classifier) : classifier,
    groups: headAndAdapterGroups(model, 1e-3, 1e-3),
    task: 'sst2', train, validation, epochs: 1, batchSize: 32, seed: 5, padding: 'max_length', warmupRatio: 0,
    microBatchSize, checkpointEvery: 1, ...(resume ? { resume } : {}),
    sink: { log: (r) => void (r.type === 'step' && steps.push(r)), note: (t) => void notes.push(t), checkpoint: (bytes) => void checkpoints.push(bytes) },
  });
  const params = await Promise.all(model.parameters().filter((p) => p.requiresGrad).map(async (p: Tensor) => Float32Array.from(await p.data())));
  return { steps, notes, params, checkpoints };
}

describe('micro-batches', () => {
  it('splitBatch cuts rows in order, keeping the padded length', () => {
    const batch: Batch = {
      batchSize: 5, seqLength: 2,
      inputIds: Int32Array.from({ length: 10 }, (_, i) => i), attentionMask: new Int32Array(10).fill(1),
      labels: Int32Array.from([0, 1, 0, 1, 1]), idx: Int32Array.from([9, 8, 7, 6, 5]),
    };
    const parts = splitBatch(batch, 2);
    expect(parts.map((p) => p.batchSize)).toEqual([2, 2, 1]);
    expect(parts.map((p) => [...p.inputIds])).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(parts.map((p) => [...p.idx])).toEqual([[9, 8], [7, 6], [5]]);
    expect(parts.every((p) => p.seqLength === 2)).toBe(true);
    expect(splitBatch(batch, 5)).toEqual([batch]);
  });

  it('4 × 8 rows take the same steps as one batch of 32 (tiny preset, no dropout), within float32 rounding', async () => {
    const whole = await run(0, 32);
    const micro = await run(0, 8);
    expect(whole.steps).toHaveLength(2);
    expect(micro.steps.map((s) => s.step)).toEqual([1, 2]);
    micro.steps.forEach((s, i) => {
      expect(s.loss).toBeCloseTo(whole.steps[i]!.loss, 5);
      expect(Math.abs(s.gradNorm - whole.steps[i]!.gradNorm)).toBeLessThan(1e-4 * whole.steps[i]!.gradNorm);
    });
    // AdamW's first steps move each weight by about ±lr: a sign that float32 rounding flips would show as 2e-3
    let worst = 0;
    whole.params.forEach((w, k) => w.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - micro.params[k]![i]!)))));
    expect(worst).toBeLessThan(1e-4);
    expect(micro.notes).toEqual([]);
  }, 120_000);

  it("'auto' halves the rows after an out-of-memory and leaves no trace of the failed passes (with dropout)", async () => {
    // a backend that cannot hold more than 8 rows: 32 fails in the forward pass; of 16 the first
    // micro-batch's backward has run (its gradients are in the parameters) when the second fails
    let calls16 = 0;
    const tight = (c: SequenceClassifier): SequenceClassifier => ({
      train: (m) => c.train(m),
      logits: (batch) => {
        const logits = c.logits(batch); // draws dropout masks and allocates, as a real pass would
        const fails = batch.batchSize === 32 || (batch.batchSize === 16 && ++calls16 % 2 === 0);
        if (fails) throw new BackendError(`test: out of memory at ${batch.batchSize} rows`, { outOfMemory: true });
        return logits;
      },
    });
    const auto = await run(0.1, 'auto', tight);
    const eight = await run(0.1, 8);
    expect(auto.notes).toHaveLength(2);
    expect(auto.notes[0]).toMatch(/out of backend memory with 32 rows per pass; running each batch of 32 as micro-batches of 16/);
    expect(auto.notes[1]).toMatch(/with 16 rows per pass; .* micro-batches of 8/);
    expect(auto.steps.map((s) => s.loss)).toEqual(eight.steps.map((s) => s.loss));
    expect(auto.params).toEqual(eight.params);
    // the checkpoint after step 1 keeps the size, so a resume (memory or not) continues as the run did
    const mid = auto.checkpoints[0]!;
    expect(decodeCheckpoint(mid).meta).toMatchObject({ step: 1, microBatchSize: 8 });
    const resumed = await run(0.1, 'auto', undefined, mid);
    expect(resumed.notes).toEqual([]);
    expect(resumed.steps.map((s) => s.loss)).toEqual(auto.steps.slice(1).map((s) => s.loss));
    expect(resumed.params).toEqual(auto.params);
  }, 120_000);

  it('an out-of-memory with a fixed micro-batch size is not retried', async () => {
    const failing = (c: SequenceClassifier): SequenceClassifier => ({
      train: (m) => c.train(m),
      logits: () => {
        throw new BackendError('test: out of memory', { outOfMemory: true });
      },
    });
    await expect(run(0, 8, failing)).rejects.toThrow(/test: out of memory/);
  }, 60_000);
});
