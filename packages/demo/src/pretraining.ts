import { batches, SYNTHETIC_ANIMALS, syntheticExamples, tokenizeExamples, type GlueExample } from '@edora/glue';
import { RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { crossEntropy, EdoraError, manualSeed, tensor, tidy } from '@edora/tensor';
import { AdamW, linearWarmupDecay, warmupStepsFor } from '@edora/train';
import type { WordTokenizer } from './word-tokenizer.js';

/** Classes of the pretraining objective: the ordered pair (first animal, second animal). */
const PAIRS = SYNTHETIC_ANIMALS.length * SYNTHETIC_ANIMALS.length;

/**
 * The pretraining target of one sentence, read off the sentence itself (no human label): which
 * animal comes first and which second, as one class `first · 10 + second`. It says who did what
 * to whom, never which animal ranks higher, so it holds no answer to the `synthetic` task.
 */
export function animalPairOf(sentence: string): number {
  const animals = sentence.split(' ').map((w) => SYNTHETIC_ANIMALS.indexOf(w as (typeof SYNTHETIC_ANIMALS)[number])).filter((i) => i >= 0);
  if (animals.length !== 2) throw new EdoraError('E_DEMO_SENTENCE', `animalPairOf: expected a synthetic sentence with 2 animals; found ${animals.length} in "${sentence}"`);
  return animals[0]! * SYNTHETIC_ANIMALS.length + animals[1]!;
}

/**
 * `synthetic` sentences from a seed of their own, without their labels. The sentence space is small
 * (10 × 9 animal pairs, verbs, adjectives, places), so many recur in the demo's splits; what the
 * pretraining never has is the label.
 */
export function pretrainingSentences(size: number, seed: number): string[] {
  return syntheticExamples('synthetic', 'train', { seed: seed + 1000, size }).map((e) => e.textA);
}

/**
 * Every word of both synthetic tasks, sorted: the word-level tokenizer's vocabulary. Read off
 * generated text (enough of it to hold each word many times over) rather than listed, so it follows
 * the generator.
 */
export function syntheticVocabulary(): string[] {
  const texts = syntheticExamples('synthetic-pair', 'train', { seed: 0, size: 2000 }).flatMap((e) => [e.textA, e.textB!]);
  return [...new Set(texts.flatMap((t) => t.split(' ')))].sort();
}

export interface PretrainOptions {
  sentences: readonly string[];
  tokenizer: WordTokenizer;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  onEpoch?: (epoch: number, loss: number) => void;
  /** After each optimizer step (1-based), with the step's loss; may pause the loop by returning a promise. */
  onStep?: (step: number, totalSteps: number, loss: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/**
 * Pretrains the `tiny` preset from random weights, every weight trained (AdamW, weight decay 0.01,
 * 6% warmup then linear decay), to name the two animals of each sentence. A random tiny encoder
 * attends almost uniformly (std-0.02 weights), so its `<s>` features are a bag of words, and a bag
 * of words is at chance on `synthetic` by construction; after this, the features say which animal
 * is first and which second, and adapters can learn the hidden ranking on top. Returns the
 * encoder (`roberta.*`) and the mean loss of the last epoch.
 */
export async function pretrainAnimalRoles(o: PretrainOptions): Promise<{ model: RobertaForSequenceClassification; loss: number }> {
  manualSeed(o.seed);
  const model = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: PAIRS }), { seed: o.seed });
  model.requiresGrad_(true);
  model.train(true);
  const examples: GlueExample[] = o.sentences.map((textA, idx) => ({ idx, textA, label: animalPairOf(textA) }));
  const data = tokenizeExamples(examples, o.tokenizer, { maxLength: 64, kind: 'classification' });
  const params = model.namedParameters().filter(([, t]) => t.requiresGrad).map(([name, t]) => ({ name, tensor: t }));
  const optimizer = new AdamW([{ name: 'all', params, lr: o.lr }]);
  const total = o.epochs * Math.ceil(data.size / o.batchSize);
  const warmup = warmupStepsFor(total, 0.06);
  let step = 0;
  let loss = NaN;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      let sum = 0;
      let count = 0;
      for (const b of batches(data, { batchSize: o.batchSize, padding: 'longest', shuffle: true, seed: o.seed, epoch })) {
        const shape = [b.batchSize, b.seqLength];
        const l = tidy(() => {
          const logits = model.forward({ inputIds: tensor(b.inputIds, shape), attentionMask: tensor(b.attentionMask, shape) });
          const value = crossEntropy(logits, tensor(b.labels as Int32Array, [b.batchSize]));
          value.backward();
          return value.detach();
        });
        const value = await l.item();
        sum += value;
        count++;
        l.dispose();
        optimizer.step(linearWarmupDecay(step++, warmup, total));
        optimizer.zeroGrad();
        await o.onStep?.(step, total, value);
        o.signal?.throwIfAborted();
      }
      loss = sum / count;
      o.onEpoch?.(epoch + 1, loss);
    }
  } finally {
    optimizer.zeroGrad();
    optimizer.dispose();
  }
  model.eval();
  return { model, loss };
}
