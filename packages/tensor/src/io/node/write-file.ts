import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { layoutSafetensors, type SafetensorsWriteEntry } from '../safetensors/write.js';

/**
 * Writes a safetensors file atomically: readers see the old file or the complete new one, never a
 * partial write. The bytes go to a temporary file in the same directory (rename is atomic only
 * within a file system), are fsynced, and the temporary file is renamed over `path`. Tensors are
 * streamed one after another, so the file is never assembled in memory.
 */
export async function writeSafetensorsFile(
  path: string,
  entries: Record<string, SafetensorsWriteEntry>,
  metadata?: Record<string, string>,
): Promise<void> {
  // Validate everything before touching the disk.
  const layout = layoutSafetensors(entries, metadata);
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    for (const chunk of [layout.header, ...layout.tensors.map((t) => t.bytes)]) {
      let done = 0;
      while (done < chunk.length) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.length - done);
        done += bytesWritten;
      }
    }
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Makes the rename itself durable. Some platforms (Windows) cannot open a directory: skip there. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Durability of the directory entry is best effort; the file's own bytes were already synced.
  } finally {
    await handle?.close();
  }
}
