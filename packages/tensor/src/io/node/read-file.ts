import { open, type FileHandle } from 'node:fs/promises';
import { ArgumentError, FormatError } from '../../errors.js';
import type { AnyTypedArray } from '../../dtype.js';
import { decodeTensorData, hostArrayFor, isHostLayout } from '../safetensors/decode.js';
import { parseSafetensorsHeader, readHeaderLength, LENGTH_PREFIX_BYTES, type SafetensorsHeader } from '../safetensors/header.js';
import type { SafetensorsTensor } from '../safetensors/read.js';
import { HOST_IS_LITTLE_ENDIAN } from '../safetensors/little-endian.js';

/**
 * Reading safetensors files piecewise: only the header is read on open, then each tensor with a
 * positioned read of exactly its bytes. A caller can load a large checkpoint tensor by tensor and
 * never hold the file plus a decoded copy of it.
 */

export interface SafetensorsFile extends SafetensorsHeader {
  path: string;
  /** Reads and decodes one tensor (see `decodeTensorData` for the host array types). */
  read(name: string): Promise<AnyTypedArray>;
  /** Closes the file; reads after this fail. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Fills `target` from `position`; a short file is a FormatError (truncated, or changed since open). */
async function readExactly(handle: FileHandle, target: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) {
      throw new FormatError(
        `${path}: file ends at byte ${position + done}, expected ${target.length - done} more bytes up to ${position + target.length} (truncated, or changed since it was opened?)`,
      );
    }
    done += bytesRead;
  }
}

const asyncDispose: typeof Symbol.asyncDispose = Symbol.asyncDispose ?? Symbol.for('Symbol.asyncDispose');

/** Opens a safetensors file and reads and validates its header. Close the handle when done. */
export async function openSafetensorsFile(path: string): Promise<SafetensorsFile> {
  const handle = await open(path, 'r');
  let header: SafetensorsHeader;
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(LENGTH_PREFIX_BYTES);
    if (size >= LENGTH_PREFIX_BYTES) await readExactly(handle, prefix, 0, path);
    const headerLength = readHeaderLength(prefix, { fileLength: size, source: path });
    const head = new Uint8Array(LENGTH_PREFIX_BYTES + headerLength);
    await readExactly(handle, head, 0, path);
    header = parseSafetensorsHeader(head, { fileLength: size, source: path });
  } catch (err) {
    await handle.close();
    throw err;
  }

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const read = async (name: string): Promise<AnyTypedArray> => {
    const entry = header.entries.get(name);
    if (entry === undefined) {
      const names = [...header.entries.keys()];
      const shown = names.slice(0, 10).map((n) => JSON.stringify(n)).join(', ');
      throw new ArgumentError(
        `${path}: no tensor named ${JSON.stringify(name)}; the file has ${names.length}${names.length ? `: ${shown}${names.length > 10 ? ', ...' : ''}` : ''}`,
      );
    }
    if (closed) throw new ArgumentError(`${path}: read(${JSON.stringify(name)}) after close()`);
    const ctx = { name, source: path };
    if (isHostLayout(entry.dtype) && HOST_IS_LITTLE_ENDIAN) {
      // The file's bytes are the array's bytes: read straight into it, no intermediate buffer.
      const count = entry.shape.reduce((a, b) => a * b, 1);
      const out = hostArrayFor(entry.dtype, count, ctx);
      await readExactly(handle, new Uint8Array(out.buffer, out.byteOffset, out.byteLength), entry.byteOffset, path);
      return out;
    }
    const raw = new Uint8Array(entry.byteLength);
    await readExactly(handle, raw, entry.byteOffset, path);
    return decodeTensorData(entry.dtype, entry.shape, raw, ctx);
  };
  return { ...header, path, read, close, [asyncDispose]: close };
}

/** Reads every tensor of a file, in file order, one positioned read each. */
export async function readSafetensorsFile(path: string): Promise<Map<string, SafetensorsTensor>> {
  const file = await openSafetensorsFile(path);
  try {
    const tensors = new Map<string, SafetensorsTensor>();
    for (const [name, entry] of file.entries) {
      tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data: await file.read(name) });
    }
    return tensors;
  } finally {
    await file.close();
  }
}
