import { crossEntropy, mse, tensor, type Tensor } from '@edora/tensor';
import type { Batch } from '@edora/glue';
import { TrainOptionError } from './errors.js';

/** Loss of one batch: cross-entropy for classification, MSE for regression (as HF's RobertaForSequenceClassification). */
export function batchLoss(logits: Tensor, batch: Batch, kind: 'classification' | 'regression'): Tensor {
  if (!batch.labels) throw new TrainOptionError('batchLoss: the batch has no labels; expected a labelled split for training and evaluation');
  const labels = tensor(batch.labels, [batch.batchSize], { backend: logits.backend, dtype: kind === 'classification' ? 'int32' : logits.dtype });
  return kind === 'classification' ? crossEntropy(logits, labels) : mse(logits.reshape([batch.batchSize]), labels);
}
