import type { Module } from '@edora/layers';
import { tensor, type Tensor } from '@edora/tensor';
import type { RobertaForSequenceClassification } from './sequence-classification.js';

/**
 * The Linear layers the EDoRA authors adapt in each RoBERTa encoder layer (SEMANTICS.md): the
 * query and value projections, the attention output and the feed-forward output. The classifier
 * head (`classifier`) is trained in full, as PEFT's `modules_to_save`.
 */
export const ROBERTA_ADAPTER_TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'] as const;
/** The module trained in full next to the adapters. */
export const ROBERTA_HEAD = 'classifier';

/** A batch of token ids as typed arrays (what `@edora/glue`'s batching gives). */
export interface TokenBatch {
  readonly batchSize: number;
  readonly seqLength: number;
  readonly inputIds: Int32Array;
  readonly attentionMask: Int32Array;
}

/**
 * The model as the training loop sees it (`@edora/train`'s `SequenceClassifier`): a batch of
 * typed arrays in (on the current backend), logits out. Tensors created here are freed by the
 * caller's scope.
 */
export function sequenceClassifierOf(model: RobertaForSequenceClassification): { train(mode?: boolean): unknown; logits(batch: TokenBatch): Tensor } {
  return {
    train: (mode = true) => model.train(mode),
    logits(batch: TokenBatch): Tensor {
      const shape = [batch.batchSize, batch.seqLength];
      return model.forward({ inputIds: tensor(batch.inputIds, shape), attentionMask: tensor(batch.attentionMask, shape) });
    },
  };
}

/**
 * Trainable parameters split as the authors do: the classifier head at its own learning rate,
 * everything else (adapters) at the adapter rate — `@edora/train`'s parameter groups.
 */
export function headAndAdapterGroups(model: Module, lr: number, headLr: number): { name: string; params: { name: string; tensor: Tensor }[]; lr: number }[] {
  const trainable = model.namedParameters().filter(([, p]) => p.requiresGrad).map(([name, t]) => ({ name, tensor: t }));
  const isHead = (name: string): boolean => name.startsWith(`${ROBERTA_HEAD}.`);
  return [
    { name: 'adapter', params: trainable.filter((p) => !isHead(p.name)), lr },
    { name: 'head', params: trainable.filter((p) => isHead(p.name)), lr: headLr },
  ];
}
