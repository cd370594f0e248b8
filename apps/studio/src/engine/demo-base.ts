import { DEMO_RECORD_FILE, demoBaseFiles, matchingDemoRecord, pretrainDemoBase, type DemoBaseHooks, type DemoBaseSettings } from '@edora/demo';
import { bytesFolder, type ModelFolder } from '@edora/models';

/** Where pretrained demo bases are kept between visits (IndexedDB in the worker; nothing in Node). */
export interface BaseStore {
  get(): Promise<Map<string, Uint8Array> | null>;
  put(files: Map<string, Uint8Array>): Promise<void>;
}

export interface DemoBase {
  folder: ModelFolder;
  /** The base's files (config.json, model.safetensors, words.json, pretraining.json), for downloads and saved states. */
  files: Map<string, Uint8Array>;
  /** True when the store held this pretraining and nothing was trained. */
  cached: boolean;
}

const encoder = new TextEncoder();

/** The folder of in-memory demo base files (the CLI's `runs/demo/base`, here as bytes). */
export function demoBaseFolder(files: Map<string, Uint8Array>): ModelFolder {
  return bytesFolder('demo base', files);
}

/**
 * The demo's pretrained base: from the store when it holds the same pretraining (its
 * `pretraining.json` matches `settings`), else pretrained here with `@edora/demo` (what `edora demo`
 * does on first use) and stored.
 */
export async function demoBase(settings: DemoBaseSettings, store: BaseStore | null, hooks: DemoBaseHooks = {}): Promise<DemoBase> {
  const stored = await store?.get().catch(() => null);
  const record = stored?.get(DEMO_RECORD_FILE);
  if (stored && record && matchingDemoRecord(new TextDecoder().decode(record), settings)) {
    return { folder: demoBaseFolder(stored), files: stored, cached: true };
  }
  const base = await pretrainDemoBase(settings, hooks);
  const files = new Map<string, Uint8Array>();
  for (const [name, data] of await demoBaseFiles(base)) files.set(name, typeof data === 'string' ? encoder.encode(data) : data);
  for (const p of base.model.parameters()) p.dispose();
  await store?.put(files).catch(() => undefined); // a full or blocked store only costs the next visit a pretraining
  return { folder: demoBaseFolder(files), files, cached: false };
}
