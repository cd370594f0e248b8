import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpointSourceOf, type ModelFolder } from '../folder.js';
import type { TensorSource } from '../source.js';
import { safetensorsFileSource } from './file-source.js';

/** A directory on disk as a `ModelFolder` (an unreadable directory lists no files). */
export async function directoryFolder(dir: string): Promise<ModelFolder> {
  const files = await readdir(dir).catch(() => [] as string[]);
  return {
    description: dir,
    files,
    pathOf: (name) => join(dir, name),
    readBytes: async (name) => new Uint8Array(await readFile(join(dir, name))),
    tensorSource: (name) => safetensorsFileSource(join(dir, name)),
  };
}

/**
 * The weights of a model folder on disk: `model.safetensors.index.json` with its shards when
 * present, else `model.safetensors` (see `checkpointSourceOf`).
 */
export async function checkpointFolderSource(dir: string): Promise<TensorSource> {
  return checkpointSourceOf(await directoryFolder(dir));
}
