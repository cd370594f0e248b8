import { parseWordList, wordTokenizer } from '@edora/demo';
import { loadAdapterFiles, type AdapterFiles } from '@edora/layers';
import { bytesFolder, pretrainedFromFolder, type RobertaForSequenceClassification } from '@edora/models';
import { noGrad, tensor } from '@edora/tensor';
import { unzipSync } from 'fflate';

/** The files of a downloaded zip, by their names inside its one folder. */
export function unzipDownload(bytes: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(bytes)).filter(([n]) => !n.endsWith('/')).map(([n, d]) => [n.slice(n.indexOf('/') + 1), d]));
}

const text = (b: Uint8Array | undefined): string => new TextDecoder().decode(b);

/** A classifier from a model folder (config.json, model.safetensors, words.json), in eval mode. */
export async function classifierOf(files: Map<string, Uint8Array>, numLabels: number): Promise<RobertaForSequenceClassification> {
  const { model } = await pretrainedFromFolder(bytesFolder('download', files), { numLabels });
  model.train(false);
  return model;
}

/** The downloaded PEFT adapter loaded with @edora/layers into the downloaded base. */
export async function adaptedClassifier(base: Map<string, Uint8Array>, adapter: Map<string, Uint8Array>, numLabels: number): Promise<RobertaForSequenceClassification> {
  const model = await classifierOf(base, numLabels);
  const files: AdapterFiles = {
    'adapter_config.json': text(adapter.get('adapter_config.json')),
    'adapter_model.safetensors': adapter.get('adapter_model.safetensors')!,
    ...(adapter.has('reconstr_config.json') ? { 'reconstr_config.json': text(adapter.get('reconstr_config.json')) } : {}),
  };
  await loadAdapterFiles(model, files);
  model.train(false);
  return model;
}

/** Logits of single sentences, one at a time (no padding), tokenized by the folder's word list. */
export async function logitsOf(model: RobertaForSequenceClassification, words: Uint8Array, sentences: readonly string[], maxLength: number): Promise<number[][]> {
  const tokenizer = wordTokenizer(parseWordList(text(words)));
  const out: number[][] = [];
  for (const s of sentences) {
    const ids = tokenizer.encode(s, undefined, maxLength).inputIds;
    const logits = noGrad(() => model.forward({ inputIds: tensor(Int32Array.from(ids), [1, ids.length]), attentionMask: tensor(new Int32Array(ids.length).fill(1), [1, ids.length]) }));
    out.push(Array.from((await logits.data()) as ArrayLike<number>));
    logits.dispose();
  }
  return out;
}
