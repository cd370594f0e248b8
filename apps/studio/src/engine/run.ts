import { batches, tokenizeExamples, type Tokenizer, type TokenizedDataset } from '@edora/glue';
import { adapterToFiles, applyAdapters, countParameters, type AdapterFiles } from '@edora/layers';
import { headAndAdapterGroups, ROBERTA_ADAPTER_TARGETS, ROBERTA_HEAD, sequenceClassifierOf, type ModelFolder, type RobertaForSequenceClassification } from '@edora/models';
import { manualSeed, noGrad } from '@edora/tensor';
import { fit, type EpochRecord, type RunResults, type StepRecord } from '@edora/train';
import type { LoadedData } from './data-source.js';
import { loadBase } from './model-source.js';
import { checkSettings, type TrainSettings } from './settings.js';

/** One prediction for a typed sentence (or pair): class probabilities, or a score for regression. */
export interface Prediction {
  textA: string;
  textB?: string;
  /** The predicted label's name (classification) or the score as text (regression). */
  label: string;
  /** Softmax of the logits in label order (empty for regression). */
  probabilities: number[];
  /** The raw outputs. */
  logits: number[];
}

export interface RunHooks {
  /** After each optimizer step; a returned promise holds the loop (pause). */
  onStep?(record: StepRecord): void | Promise<void>;
  onEpoch?(record: EpochRecord): void | Promise<void>;
  /** Receives each checkpoint fit writes (epoch ends and every `checkpointEvery` steps); a returned promise holds the loop. */
  onCheckpoint?(bytes: Uint8Array): void | Promise<void>;
  signal?: AbortSignal;
}

/** Sizes of a built run, shown before it starts. */
export interface RunPlan {
  trainable: number;
  total: number;
  trainExamples: number;
  validationExamples: number;
  totalSteps: number;
}

/** Padding to the batch's longest example: the same math as the authors' max-length padding, faster. */
const PADDING = 'longest';

/**
 * One fine-tuning run in memory, as `edora train` runs it: the base from a model folder, the
 * method's adapters on RoBERTa's four target Linears per layer (the head trained in full), AdamW at
 * the adapter and head learning rates, warmup 6%, weight decay 0.01, clipping at 1, evaluation
 * after every epoch. DOM-free: the studio's worker runs it, and so does the Node benchmark.
 */
export class StudioRun {
  private constructor(
    readonly settings: TrainSettings,
    readonly data: LoadedData,
    readonly model: RobertaForSequenceClassification,
    readonly tokenizer: Tokenizer,
    private readonly train: TokenizedDataset,
    private readonly validation: TokenizedDataset,
    readonly plan: RunPlan,
  ) {}

  static async build(folder: ModelFolder, data: LoadedData, settings: TrainSettings): Promise<StudioRun> {
    const s = checkSettings(settings);
    manualSeed(s.seed);
    const numLabels = data.spec.kind === 'regression' ? 1 : data.spec.labelNames.length;
    const { model, tokenizer } = await loadBase(folder, numLabels, s.seed);
    await applyAdapters(model, {
      method: s.method, r: s.rank, alpha: s.alpha, seed: s.seed,
      targetModules: [...ROBERTA_ADAPTER_TARGETS], modulesToSave: [ROBERTA_HEAD],
    });
    model.train(true);
    const count = countParameters(model);
    const options = { maxLength: s.maxLength, kind: data.spec.kind };
    const train = tokenizeExamples(data.train, tokenizer, options);
    const validation = tokenizeExamples(data.validation, tokenizer, options);
    const steps = s.epochs * Math.ceil(train.size / s.batchSize);
    return new StudioRun(s, data, model, tokenizer, train, validation, {
      trainable: count.trainable, total: count.total, trainExamples: train.size, validationExamples: validation.size, totalSteps: steps,
    });
  }

  /** Trains (or continues from `resume`, a checkpoint of a run with the same `runKey`). */
  async fit(runKey: string, hooks: RunHooks, resume?: Uint8Array, checkpointEvery = 1): Promise<RunResults> {
    const s = this.settings;
    return fit({
      model: sequenceClassifierOf(this.model),
      groups: headAndAdapterGroups(this.model, s.lr, s.headLr),
      task: this.data.spec.name,
      train: this.train,
      validation: this.validation,
      epochs: s.epochs,
      batchSize: s.batchSize,
      seed: s.seed,
      padding: PADDING,
      checkpointEvery,
      runKey,
      ...(resume ? { resume } : {}),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      sink: {
        log: (r) => (r.type === 'step' ? hooks.onStep?.(r) : hooks.onEpoch?.(r)),
        checkpoint: (bytes) => hooks.onCheckpoint?.(bytes),
      },
    });
  }

  /** The trained model's outputs for typed texts (eval mode, no gradients). */
  async predict(texts: readonly { textA: string; textB?: string }[]): Promise<Prediction[]> {
    return predictWith(this.model, this.tokenizer, this.data.spec, texts, this.settings.maxLength);
  }

  /** The adapter as PEFT writes it (adapter_config.json, adapter_model.safetensors, and EDoRA's side file). */
  adapterFiles(): Promise<AdapterFiles> {
    return adapterToFiles(this.model);
  }

  dispose(): void {
    for (const p of this.model.parameters()) p.dispose();
  }
}

/** Predictions of any sequence classifier (the Node test checks downloaded adapters with it too). */
export async function predictWith(
  model: RobertaForSequenceClassification,
  tokenizer: Tokenizer,
  spec: LoadedData['spec'],
  texts: readonly { textA: string; textB?: string }[],
  maxLength: number,
): Promise<Prediction[]> {
  const examples = texts.map((t, idx) => ({ idx, textA: t.textA, ...(t.textB ? { textB: t.textB } : {}), label: null }));
  const ds = tokenizeExamples(examples, tokenizer, { maxLength, kind: spec.kind });
  const classifier = sequenceClassifierOf(model);
  model.train(false);
  const out: Prediction[] = [];
  for (const batch of batches(ds, { batchSize: 16, padding: PADDING })) {
    const logits = noGrad(() => classifier.logits(batch));
    const values = Array.from((await logits.data()) as ArrayLike<number>);
    logits.dispose();
    const width = values.length / batch.batchSize;
    for (let i = 0; i < batch.batchSize; i++) {
      const row = values.slice(i * width, (i + 1) * width);
      const text = texts[batch.idx[i]!]!;
      if (spec.kind === 'regression') {
        out.push({ ...text, label: row[0]!.toFixed(3), probabilities: [], logits: row });
        continue;
      }
      const max = Math.max(...row);
      const exp = row.map((v) => Math.exp(v - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      const probabilities = exp.map((v) => v / sum);
      const best = probabilities.indexOf(Math.max(...probabilities));
      out.push({ ...text, label: spec.labelNames[best] ?? String(best), probabilities, logits: row });
    }
  }
  return out;
}
