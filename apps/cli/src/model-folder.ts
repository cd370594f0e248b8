/** What makes a merged model a complete HF model folder besides its weights and config. */
import { copyFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { TaskSpec } from '@edora/glue';
import { WORDS_FILE } from '@edora/demo';
import { writeFileAtomic } from '@edora/train/node';

/** Tokenizer files HF (and this repo's loaders) read from a model folder. */
export const TOKENIZER_FILES = ['vocab.json', 'merges.txt', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'added_tokens.json', WORDS_FILE] as const;

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/**
 * Completes a model folder written by `saveModel`: the base folder's tokenizer files copied in
 * (none for a preset base), and config.json's `id2label`/`label2id` named by the task's labels
 * (HF pipelines print them) instead of LABEL_0… Returns the files written.
 */
export async function completeModelFolder(dir: string, baseModel: string, spec: TaskSpec): Promise<string[]> {
  const written: string[] = [];
  for (const name of TOKENIZER_FILES) {
    if (await isFile(join(baseModel, name))) {
      await copyFile(join(baseModel, name), join(dir, name));
      written.push(name);
    }
  }
  if (spec.kind === 'classification') {
    const path = join(dir, 'config.json');
    const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    config.id2label = Object.fromEntries(spec.labelNames.map((name, i) => [String(i), name]));
    config.label2id = Object.fromEntries(spec.labelNames.map((name, i) => [name, i]));
    await writeFileAtomic(path, JSON.stringify(config, null, 2) + '\n');
  }
  return written;
}
