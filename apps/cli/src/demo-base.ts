import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_RECORD_FILE, demoBaseFiles, matchingDemoRecord, pretrainDemoBase, type DemoBaseSettings } from '@edora/demo';
import { writeFileAtomic } from '@edora/train/node';

export type { DemoBaseSettings } from '@edora/demo';

export interface DemoBase {
  dir: string;
  /** True when the folder already held this pretraining and nothing was trained. */
  cached: boolean;
  /** Mean loss of the last pretraining epoch. */
  loss: number;
  seconds: number;
  backend: string;
  settings: DemoBaseSettings;
}

/**
 * The demo's pretrained base in `dir`, a model folder `--model` accepts (config.json,
 * model.safetensors, words.json): the `tiny` preset pretrained from random weights on synthetic
 * sentences by `@edora/demo`, with a word-level tokenizer. Reused when `dir` already holds the
 * same pretraining, so only the first demo pays for it.
 */
export async function demoBase(dir: string, settings: DemoBaseSettings, onEpoch?: (epoch: number, loss: number) => void): Promise<DemoBase> {
  const cached = matchingDemoRecord(await readFile(join(dir, DEMO_RECORD_FILE), 'utf8').catch(() => null), settings);
  if (cached) return { ...cached, dir, cached: true };
  const base = await pretrainDemoBase(settings, { onEpoch });
  await mkdir(dir, { recursive: true });
  // the record goes last: a folder without it (an interrupted run) is pretrained again
  const files = await demoBaseFiles(base);
  for (const [name, data] of files) if (name !== DEMO_RECORD_FILE) await writeFileAtomic(join(dir, name), data);
  await writeFileAtomic(join(dir, DEMO_RECORD_FILE), files.get(DEMO_RECORD_FILE)!);
  return { dir, cached: false, loss: base.record.loss, seconds: base.record.seconds, backend: base.record.backend, settings };
}
