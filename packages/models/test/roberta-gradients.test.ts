import { describe, expect, it, beforeAll } from 'vitest';
import { readFile } from 'node:fs/promises';
import { CpuBackend, tensor, useBackend, type Tensor } from '@edora/tensor';
import { loadWeights, parseRobertaConfig, RobertaForSequenceClassification, safetensorsBytesSource, type RobertaConfig } from '../src/index.js';
import { safetensorsFileSource } from '../src/node.js';
import { fixture, readGolden, relativeError, type Golden } from './helpers.js';

// Backward through the whole model (tiny config, classification loss): against torch autograd on
// the float64 reference graph, and against central finite differences of our own float64 model.
let golden: Map<string, Golden>;
let config: RobertaConfig;
const backend = new CpuBackend();
const g = (name: string): Golden => golden.get(name)!;

async function buildModel(dtype: 'float32' | 'float64'): Promise<RobertaForSequenceClassification> {
  const model = new RobertaForSequenceClassification({ ...config, numLabels: 3 }, { dtype, backend, seed: 1 });
  const encoder = await safetensorsFileSource(fixture('model.safetensors'));
  const params = model.namedParameters();
  await loadWeights(params.filter(([n]) => !n.startsWith('classifier.')), encoder, { strict: false });
  await encoder.close();
  await loadWeights(params.filter(([n]) => n.startsWith('classifier.')), safetensorsBytesSource(await readFile(fixture('head-3.safetensors'))));
  return model.eval();
}

function lossOf(model: RobertaForSequenceClassification): Tensor {
  const inputIds = tensor(g('input_ids').data as Int32Array, g('input_ids').shape, { backend });
  const attentionMask = tensor(g('attention_mask').data as Int32Array, g('attention_mask').shape, { backend });
  return model.loss(model.forward({ inputIds, attentionMask }), tensor(g('labels3').data as Int32Array, [3], { backend }));
}

beforeAll(async () => {
  useBackend(backend);
  golden = await readGolden();
  config = parseRobertaConfig(await readFile(fixture('config.json'), 'utf8'));
});

describe('RoBERTa gradients', () => {
  it('float32 gradients of the classification loss match torch autograd on the float64 reference', async () => {
    const model = await buildModel('float32');
    const loss = lossOf(model);
    expect(Math.abs(loss.dataSync()[0]! - g('loss3').data[0]!)).toBeLessThan(1e-5);
    loss.backward();
    const names = [...golden.keys()].filter((k) => k.startsWith('grad.')).map((k) => k.slice('grad.'.length));
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) {
      const grad = model.getParameter(name).grad;
      expect(grad, name).toBeTruthy();
      // float32 backward through 2 layers: errors ~1e-6 of the gradient's scale.
      expect(relativeError(grad!.dataSync(), g(`grad.${name}`).data), name).toBeLessThan(1e-4);
    }
  });

  it('float64 autograd equals central finite differences at spot entries of every kind of parameter', async () => {
    const model = await buildModel('float64');
    const loss = lossOf(model);
    loss.backward();
    const ids = g('input_ids').data as Int32Array;
    const H = config.hiddenSize;
    // [parameter, flat index]: a used token's embedding, a position row, LayerNorms, every Linear of
    // a layer (attention and FFN), the head.
    const spots: [string, number][] = [
      ['roberta.embeddings.word_embeddings.weight', ids[3]! * H + 5],
      ['roberta.embeddings.position_embeddings.weight', 4 * H + 7],
      ['roberta.embeddings.token_type_embeddings.weight', 11],
      ['roberta.embeddings.LayerNorm.weight', 2],
      ['roberta.encoder.layer.0.attention.self.query.weight', 37],
      ['roberta.encoder.layer.0.attention.self.key.weight', 301],
      ['roberta.encoder.layer.0.attention.self.value.bias', 9],
      ['roberta.encoder.layer.0.attention.output.dense.weight', 500],
      ['roberta.encoder.layer.0.attention.output.LayerNorm.bias', 13],
      ['roberta.encoder.layer.1.intermediate.dense.weight', 777],
      ['roberta.encoder.layer.1.output.dense.weight', 1234],
      ['roberta.encoder.layer.1.output.LayerNorm.weight', 30],
      ['classifier.dense.weight', 100],
      ['classifier.out_proj.bias', 1],
    ];
    // Closed form: a key bias adds the same q·b to every score of a query row, which softmax
    // cancels, so its gradient is exactly zero.
    for (const v of model.getParameter('roberta.encoder.layer.1.attention.self.key.bias').grad!.dataSync()) expect(Math.abs(v)).toBeLessThan(1e-12);
    const eps = 1e-6;
    for (const [name, index] of spots) {
      const p = model.getParameter(name);
      const analytic = (p.grad!.dataSync() as Float64Array)[index]!;
      const values = Float64Array.from(p.dataSync());
      const at = (v: number): number => {
        values[index] = v;
        backend.write(p.buffer, values, 0);
        return lossOf(model).dataSync()[0]!;
      };
      const x = values[index]!;
      const numeric = (at(x + eps) - at(x - eps)) / (2 * eps);
      at(x);
      expect(Math.abs(analytic - numeric), `${name}[${index}]: autograd ${analytic} vs finite difference ${numeric}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      expect(Math.abs(numeric), `${name}[${index}] must be a spot with a real gradient`).toBeGreaterThan(1e-6);
    }
  });
});
