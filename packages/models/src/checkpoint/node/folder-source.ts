import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from '../errors.js';
import { INDEX_FILE, parseShardIndex } from '../shard-index.js';
import { SINGLE_FILE } from '../save.js';
import { mergeSources, type TensorSource } from '../source.js';
import { safetensorsFileSource } from './file-source.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * The weights of a model folder: `model.safetensors.index.json` with its shards when present,
 * else `model.safetensors`. Each shard must hold exactly the tensors the index assigns to it.
 */
export async function checkpointFolderSource(dir: string): Promise<TensorSource> {
  const indexPath = join(dir, INDEX_FILE);
  if (await exists(indexPath)) {
    const shards = parseShardIndex(await readFile(indexPath, 'utf8'), indexPath);
    const sources: TensorSource[] = [];
    try {
      for (const [file, names] of shards) {
        const path = join(dir, file);
        if (!(await exists(path))) throw new CheckpointError(`${indexPath} names shard ${file}, but ${path} does not exist`);
        const source = await safetensorsFileSource(path);
        sources.push(source);
        const missing = names.filter((n) => !source.tensors.has(n));
        if (missing.length) throw new CheckpointError(`${path}: the index puts ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''} in this shard, but it does not hold them`);
        const extra = [...source.tensors.keys()].filter((n) => !names.includes(n));
        if (extra.length) throw new CheckpointError(`${path}: holds ${extra.slice(0, 8).join(', ')}${extra.length > 8 ? ', ...' : ''}, which the index assigns elsewhere or not at all`);
      }
      return mergeSources(dir, sources);
    } catch (err) {
      for (const s of sources) await s.close();
      throw err;
    }
  }
  const single = join(dir, SINGLE_FILE);
  if (await exists(single)) return safetensorsFileSource(single);
  const files = await readdir(dir).catch(() => [] as string[]);
  const legacy = files.find((f) => f === 'pytorch_model.bin' || f.endsWith('.bin'));
  throw new CheckpointError(
    `${dir}: no ${SINGLE_FILE} or ${INDEX_FILE}; the folder has: ${files.join(', ') || '(nothing)'}.` +
      (legacy ? ` ${legacy} is a pickled PyTorch checkpoint, which is not read here: convert it to safetensors first (e.g. in Python, safetensors.torch.save_file(torch.load(path), "model.safetensors")).` : ''),
  );
}
