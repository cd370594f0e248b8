import { open } from 'node:fs/promises';
import { FormatError } from '@edora/tensor';
import { openSafetensorsFile } from '@edora/tensor/node';
import type { StoredTensor, TensorSource } from '../source.js';

/**
 * A safetensors file as a `TensorSource`: the header is read and validated on open (a truncated
 * file fails here, naming the tensor that runs past the end), then tensors are read by byte range.
 */
export async function safetensorsFileSource(path: string, label = path): Promise<TensorSource> {
  const header = await openSafetensorsFile(path);
  await header.close();
  const entries = header.entries;
  const tensors = new Map<string, StoredTensor>();
  for (const [name, e] of entries) tensors.set(name, { dtype: e.dtype, shape: e.shape, byteLength: e.byteLength, file: label });
  const handle = await open(path, 'r');
  return {
    description: label,
    tensors,
    async readRange(name, start, end) {
      const e = entries.get(name)!;
      const out = new Uint8Array(end - start);
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, e.byteOffset + start + done);
        if (bytesRead === 0) {
          throw new FormatError(`${label}: tensor ${name} ends early: the file stops at byte ${e.byteOffset + start + done} (changed since it was opened?)`);
        }
        done += bytesRead;
      }
      return out;
    },
    close: () => handle.close(),
  };
}
