import type { RobertaConfig } from '@edora/models';
import type { Method } from './setup.js';

/** (in, out) of each adapted Linear of one encoder layer under the EDoRA targets (attention.output.dense and output.dense both match). */
function targetShapes(c: RobertaConfig): [number, number][] {
  const h = c.hiddenSize;
  return [[h, h], [h, h], [h, h], [c.intermediateSize, h]]; // query, value, attention.output.dense, output.dense
}

/**
 * Trainable adapter numbers of a method at rank r, from the config alone (no weights needed):
 * LoRA r·(in+out), DoRA adds one magnitude per output row, EDoRA r² + magnitudes, LoRA-XS r²,
 * full: every encoder weight. The head is counted separately (`headParameters`).
 */
export function adapterParameters(c: RobertaConfig, method: Method, r: number): number {
  if (method === 'full') return encoderParameters(c);
  let per = 0;
  for (const [inF, outF] of targetShapes(c)) {
    if (method === 'lora') per += r * (inF + outF);
    else if (method === 'dora') per += r * (inF + outF) + outF;
    else if (method === 'edora') per += r * r + outF;
    else per += r * r;
  }
  return per * c.numHiddenLayers;
}

/** The classification head: dense h×h + bias, out_proj h×labels + bias. */
export function headParameters(c: RobertaConfig, numLabels: number): number {
  const h = c.hiddenSize;
  return h * h + h + h * numLabels + numLabels;
}

/** RoBERTa's encoder (embeddings + layers, no pooler, no head). */
export function encoderParameters(c: RobertaConfig): number {
  const h = c.hiddenSize;
  const i = c.intermediateSize;
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * h + 2 * h;
  const layer = 4 * (h * h + h) + 2 * h + (h * i + i) + (i * h + h) + 2 * h;
  return embeddings + c.numHiddenLayers * layer;
}
