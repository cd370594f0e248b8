import { tokenizeExamples, type Batch, type GlueExample, type TokenizedDataset } from '@edora/glue';
import { byteLevelTokenizer } from '@edora/models';
import { dropout, embedding, randn, tensor, zeros, type Tensor } from '@edora/tensor';
import type { NamedParameter, SequenceClassifier } from '../../src/index.js';

/**
 * A small classifier made only of @edora/tensor ops, so the loop is tested without the model
 * packages: mean of token embeddings over the real tokens, tanh, dropout (so resume must restore
 * the random stream), then a linear head. Parameters come from seeded streams.
 */
export class BagModel implements SequenceClassifier {
  training = true;
  readonly table: Tensor;
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(vocab: number, hidden: number, labels: number, seed: number, readonly dropoutP = 0.1) {
    this.table = randn([vocab, hidden], { seed }).mul(0.5);
    this.weight = randn([labels, hidden], { seed: seed + 1 }).mul(0.1);
    this.bias = zeros([labels]);
    for (const t of [this.table, this.weight, this.bias]) t.requiresGrad = true;
  }

  train(mode = true): void {
    this.training = mode;
  }

  logits(batch: Batch): Tensor {
    const ids = tensor(batch.inputIds, [batch.batchSize, batch.seqLength]);
    const mask = tensor(Float32Array.from(batch.attentionMask), [batch.batchSize, batch.seqLength, 1]);
    const emb = embedding(this.table, ids).mul(mask).sum(1).div(mask.sum(1));
    const h = dropout(emb.tanh(), this.dropoutP, { training: this.training });
    return h.matmul(this.weight, { transB: true }).add(this.bias);
  }

  groups(lr: number, headLr: number): { name: string; params: NamedParameter[]; lr: number }[] {
    return [
      { name: 'adapter', params: [{ name: 'table', tensor: this.table }], lr },
      { name: 'head', params: [{ name: 'head.weight', tensor: this.weight }, { name: 'head.bias', tensor: this.bias }], lr: headLr },
    ];
  }
}

/** Sentences of random words; label 1 when one of the marker words appears. Learnable by a bag of bytes. */
export function markerTask(size: number, seed: number): TokenizedDataset {
  const words = ['ab', 'cd', 'ef', 'gh', 'ij', 'kl'];
  let s = seed >>> 0;
  const rnd = (n: number): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const examples: GlueExample[] = [];
  for (let idx = 0; idx < size; idx++) {
    const label = rnd(2);
    const ws = Array.from({ length: 3 + rnd(4) }, () => words[rnd(words.length)]!);
    ws.splice(rnd(ws.length + 1), 0, label ? 'zz' : 'yy');
    examples.push({ idx, textA: ws.join(' '), label });
  }
  return tokenizeExamples(examples, byteLevelTokenizer(), { maxLength: 32 });
}
