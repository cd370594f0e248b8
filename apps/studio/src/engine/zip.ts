import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';

/** Files by path inside the archive; text is stored as UTF-8. */
export type FileMap = ReadonlyMap<string, Uint8Array | string>;

/** A zip holding `files` under `folder/` (unzipping gives one folder, as a download should). Stored, not deflated: safetensors barely compress. */
export function zipFolder(folder: string, files: FileMap): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, data] of files) entries[`${folder}/${name}`] = typeof data === 'string' ? strToU8(data) : data;
  return zipSync(entries, { level: 0 });
}

/** The files of a zip by path, with a leading single folder (what `zipFolder` adds) removed. */
export function unzipFolder(bytes: Uint8Array): Map<string, Uint8Array> {
  const entries = Object.entries(unzipSync(bytes)).filter(([name]) => !name.endsWith('/'));
  const tops = new Set(entries.map(([name]) => name.split('/')[0]));
  const strip = tops.size === 1 && entries.every(([name]) => name.includes('/'));
  return new Map(entries.map(([name, data]) => [strip ? name.slice(name.indexOf('/') + 1) : name, data]));
}

export const textOf = (bytes: Uint8Array): string => strFromU8(bytes);
