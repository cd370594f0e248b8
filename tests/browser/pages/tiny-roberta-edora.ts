/**
 * The end-to-end scenario, run by the page on its best backend and by the test in Node on the
 * cpu backend: the `tiny` RoBERTa preset with a classification head, EDoRA adapters on the
 * attention projections, and a few AdamW steps on one fixed batch, dropout on.
 */
import { manualSeed, tensor, tidy, type BackendV1, type Tensor } from '@edora/tensor';
import { applyAdapters } from '@edora/layers';
import { RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { AdamW } from '@edora/train';

export interface EdoraStepsOptions {
  steps: number;
  seed: number;
  lr: number;
}

export interface EdoraStepsResult {
  /** The loss of each step's batch before that step's update. */
  losses: number[];
  /** Wall time of each step (forward, backward, AdamW, the loss read back), in milliseconds. */
  stepMs: number[];
  trainable: number;
}

const BATCH = 4;
const SEQ = 12;

/** A fixed batch: byte-token ids (4..259 in the tiny vocabulary), the last row padded after 7 tokens. */
function fixedBatch(backend: BackendV1): { inputIds: Tensor; attentionMask: Tensor; labels: Tensor } {
  const ids = new Int32Array(BATCH * SEQ);
  const mask = new Int32Array(BATCH * SEQ).fill(1);
  for (let i = 0; i < ids.length; i++) ids[i] = 4 + ((i * 37 + 11) % 256);
  for (let t = 7; t < SEQ; t++) {
    ids[(BATCH - 1) * SEQ + t] = 1; // <pad>
    mask[(BATCH - 1) * SEQ + t] = 0;
  }
  return {
    inputIds: tensor(ids, [BATCH, SEQ], { backend }),
    attentionMask: tensor(mask, [BATCH, SEQ], { backend }),
    labels: tensor(Int32Array.from({ length: BATCH }, (_, i) => i % 2), [BATCH], { backend }),
  };
}

export async function tinyRobertaEdoraSteps(backend: BackendV1, options: EdoraStepsOptions): Promise<EdoraStepsResult> {
  manualSeed(options.seed); // dropout draws from the default stream
  const model = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 2 }), { backend, seed: options.seed });
  const report = await applyAdapters(model, {
    method: 'edora',
    r: 4,
    alpha: 8,
    targetModules: ['query', 'value'],
    modulesToSave: ['classifier'],
    seed: options.seed,
  });
  const params = model.namedParameters().filter(([, p]) => p.requiresGrad).map(([name, tensor]) => ({ name, tensor }));
  const optimizer = new AdamW([{ name: 'trainable', params, lr: options.lr }]);
  const batch = fixedBatch(backend);
  model.train(true);
  const losses: number[] = [];
  const stepMs: number[] = [];
  for (let step = 0; step < options.steps; step++) {
    const start = performance.now();
    const loss = tidy(() => model.loss(model.forward(batch), batch.labels));
    loss.backward();
    optimizer.step();
    optimizer.zeroGrad();
    losses.push(await loss.item());
    stepMs.push(performance.now() - start);
    loss.dispose();
  }
  return { losses, stepMs, trainable: report.trainable };
}
