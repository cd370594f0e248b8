import { access, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { writeSafetensorsFile } from '@edora/tensor/node';
import type { Module } from '@edora/layers';
import { parseRobertaConfig, robertaConfigToJson, type RobertaConfig } from '../../config/roberta-config.js';
import { ModelNotFoundError } from '../errors.js';
import { architectureOf, loadPretrainedRoberta, type Pretrained, type PretrainedOptions, type RobertaModelFor, type RobertaTask } from '../pretrained.js';
import { INDEX_FILE } from '../shard-index.js';
import { planShards, safetensorsEntries, SAFETENSORS_METADATA } from '../save.js';
import { checkpointFolderSource } from './folder-source.js';
import { loadTokenizer } from '../../tokenizer/node.js';
import type { RobertaTokenizer } from '../../tokenizer/tokenizer.js';

const CONFIG_FILE = 'config.json';

async function isFolder(path: string): Promise<boolean> {
  return access(join(path, CONFIG_FILE)).then(
    () => true,
    () => false,
  );
}

/**
 * Loads a RoBERTa from a local model folder (config.json plus model.safetensors or a sharded
 * index), as HF's from_pretrained does for a local path, and the folder's tokenizer when it has one. Nothing is downloaded: a hub name with no
 * folder behind it is an error that says how to fetch the files.
 */
export async function fromPretrained<T extends RobertaTask = 'sequence-classification'>(
  dir: string,
  options: PretrainedOptions<T> = {},
): Promise<Pretrained<RobertaModelFor<T>> & { tokenizer?: RobertaTokenizer }> {
  if (!(await isFolder(dir))) {
    const looksLikeHub = !isAbsolute(dir) && !dir.startsWith('.') && /^[\w.-]+(\/[\w.-]+)?$/.test(dir);
    throw new ModelNotFoundError(
      `fromPretrained: ${resolve(dir)} is not a model folder (no ${CONFIG_FILE}). ` +
        (looksLikeHub
          ? `"${dir}" looks like a Hugging Face Hub name; EDoRA.ts never downloads at run time. Fetch the files once, e.g. ` +
            `\`huggingface-cli download ${dir.includes('/') ? dir : `FacebookAI/${dir}`} config.json model.safetensors vocab.json merges.txt --local-dir ./${dir.split('/').pop()}\` ` +
            `(or \`git clone https://huggingface.co/${dir.includes('/') ? dir : `FacebookAI/${dir}`}\`), then pass that folder. ` +
            'For random weights of a known shape use robertaPreset(name) instead.'
          : `Expected a folder holding ${CONFIG_FILE} and model.safetensors (or ${INDEX_FILE} with its shards).`),
    );
  }
  const configPath = join(dir, CONFIG_FILE);
  const config = parseRobertaConfig(await readFile(configPath, 'utf8'), { source: configPath });
  const source = await checkpointFolderSource(dir);
  let loaded: Pretrained<RobertaModelFor<T>>;
  try {
    loaded = await loadPretrainedRoberta(config, source, options);
  } finally {
    await source.close();
  }
  // The folder's tokenizer comes along when it has one (tokenizer.json, or vocab.json + merges.txt).
  const names = await readdir(dir);
  const hasTokenizer = names.includes('tokenizer.json') || (names.includes('vocab.json') && names.includes('merges.txt'));
  return hasTokenizer ? { ...loaded, tokenizer: await loadTokenizer(dir) } : loaded;
}

/** Writes text atomically (temp file, then rename), as the weights are written. */
async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

export interface SaveModelOptions {
  /** Split the weights into shards of at most this many bytes (HF's max_shard_size). Default: one file. */
  maxShardBytes?: number;
}

/**
 * Saves a model in HF's layout: config.json and model.safetensors (or shards plus
 * model.safetensors.index.json), float32 with HF key names, loadable by HF transformers and by
 * `fromPretrained`. Each file is written atomically.
 */
export async function saveModel(model: Module & { config: RobertaConfig }, dir: string, options: SaveModelOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const params = model.namedParameters();
  const plan = planShards(params, options.maxShardBytes);
  const byName = new Map(params);
  const written: string[] = [];
  for (const { file, names } of plan.files) {
    const entries = await safetensorsEntries(names.map((n) => [n, byName.get(n)!]));
    await writeSafetensorsFile(join(dir, file), entries, { ...SAFETENSORS_METADATA });
    written.push(file);
  }
  if (plan.index) {
    await writeTextAtomic(join(dir, INDEX_FILE), `${JSON.stringify(plan.index, null, 2)}\n`);
    written.push(INDEX_FILE);
  }
  await writeTextAtomic(join(dir, CONFIG_FILE), `${JSON.stringify(robertaConfigToJson(model.config, [architectureOf(model)]), null, 2)}\n`);
  written.push(CONFIG_FILE);
  return written;
}
