import { loadAdapterFiles, mergeAndUnload, type AdapterFiles } from '@edora/layers';
import { modelToFiles, type ModelFolder } from '@edora/models';
import { loadBase } from './model-source.js';

/** Tokenizer files a merged model folder carries over from its base, so it loads as a whole model. */
const TOKENIZER_FILES = ['words.json', 'tokenizer.json', 'vocab.json', 'merges.txt', 'tokenizer_config.json', 'special_tokens_map.json'];

/**
 * The merged model (config.json + model.safetensors, and the base's tokenizer files): the base
 * built afresh from its folder, the adapter files loaded into it, every adapter folded into its
 * weight (PEFT's merge_and_unload). Built from the files, not from the trained model, so the
 * trained model keeps its adapters and the merged folder is exactly base + downloaded adapter.
 */
export async function mergedModelFiles(folder: ModelFolder, adapter: AdapterFiles, numLabels: number, seed: number): Promise<Map<string, Uint8Array | string>> {
  const { model } = await loadBase(folder, numLabels, seed);
  try {
    await loadAdapterFiles(model, adapter);
    mergeAndUnload(model);
    const files = await modelToFiles(model);
    for (const name of TOKENIZER_FILES) if (folder.files.includes(name)) files.set(name, await folder.readBytes(name));
    return files;
  } finally {
    for (const p of model.parameters()) p.dispose();
  }
}
