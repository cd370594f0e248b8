import { parseRobertaConfig } from '../config/roberta-config.js';
import { hasTokenizerFiles, tokenizerOfFolder } from '../tokenizer/folder.js';
import type { RobertaTokenizer } from '../tokenizer/tokenizer.js';
import { ModelNotFoundError } from './errors.js';
import { checkpointSourceOf, type ModelFolder } from './folder.js';
import { INDEX_FILE } from './shard-index.js';
import { loadPretrainedRoberta, type Pretrained, type PretrainedOptions, type RobertaModelFor, type RobertaTask } from './pretrained.js';

export const CONFIG_FILE = 'config.json';

/**
 * Loads a RoBERTa from a model folder (config.json plus model.safetensors or a sharded index), as
 * HF's from_pretrained does for a local path, and the folder's tokenizer when it has one.
 * Browser-safe: the folder may be files a user dropped into a page (`blobFolder`).
 */
export async function pretrainedFromFolder<T extends RobertaTask = 'sequence-classification'>(
  folder: ModelFolder,
  options: PretrainedOptions<T> = {},
): Promise<Pretrained<RobertaModelFor<T>> & { tokenizer?: RobertaTokenizer }> {
  if (!folder.files.includes(CONFIG_FILE)) {
    throw new ModelNotFoundError(`${folder.description} is not a model folder (no ${CONFIG_FILE}). Expected a folder holding ${CONFIG_FILE} and model.safetensors (or ${INDEX_FILE} with its shards).`);
  }
  const configPath = folder.pathOf(CONFIG_FILE);
  const config = parseRobertaConfig(new TextDecoder().decode(await folder.readBytes(CONFIG_FILE)), { source: configPath });
  const source = await checkpointSourceOf(folder);
  let loaded: Pretrained<RobertaModelFor<T>>;
  try {
    loaded = await loadPretrainedRoberta(config, source, options);
  } finally {
    await source.close();
  }
  return hasTokenizerFiles(folder) ? { ...loaded, tokenizer: await tokenizerOfFolder(folder) } : loaded;
}
