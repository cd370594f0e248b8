import { describe, expect, it } from 'vitest';
import { syntheticVocabulary, WORDS_FILE } from '@edora/demo';
import { ADAPTER_METHODS, applyAdapters, countParameters } from '@edora/layers';
import { bytesFolder, modelToFiles, RobertaForSequenceClassification, ROBERTA_ADAPTER_TARGETS, robertaPreset } from '@edora/models';
import { ArgumentError, manualSeed } from '@edora/tensor';
import { loadData } from '../src/engine/data-source.js';
import { summarizeFolder } from '../src/engine/model-source.js';
import { StudioRun } from '../src/engine/run.js';
import { DEFAULT_SETTINGS, checkSettings, type TrainSettings } from '../src/engine/settings.js';
import { readStateZip, runKeyOf, stateZip, type DataOrigin, type ModelOrigin } from '../src/engine/state.js';
import { plannedTrainable } from '../src/engine/trainable.js';
import { unzipFolder, zipFolder } from '../src/engine/zip.js';
import { EtaEstimator } from '../src/ui/eta.js';
import { duration } from '../src/ui/format.js';

/** A tiny random base as a folder the studio reads (config.json, model.safetensors, words.json). */
async function tinyFolder(): Promise<ReturnType<typeof bytesFolder>> {
  manualSeed(3);
  const model = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 2 }), { seed: 3 });
  const files = new Map<string, Uint8Array>();
  for (const [name, data] of await modelToFiles(model)) files.set(name, typeof data === 'string' ? new TextEncoder().encode(data) : data);
  files.set(WORDS_FILE, new TextEncoder().encode(JSON.stringify(syntheticVocabulary())));
  return bytesFolder('tiny', files);
}

describe('trainable parameters before a run', () => {
  it.each(ADAPTER_METHODS)('%s: the planned count equals what applyAdapters then trains', async (method) => {
    for (const r of [1, 4]) {
      const model = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 3 }), { seed: 1 });
      const planned = plannedTrainable(model, method, r);
      await applyAdapters(model, { method, r, alpha: 16, seed: 1, targetModules: [...ROBERTA_ADAPTER_TARGETS], modulesToSave: ['classifier'] });
      expect(planned).toBe(countParameters(model).trainable);
    }
  });
});

describe('model and data sources', () => {
  it('summarizes a folder from its config and weight headers', async () => {
    const s = await summarizeFolder(await tinyFolder(), 'tiny');
    expect(s).toMatchObject({ architecture: 'RobertaForSequenceClassification', layers: 2, hidden: 64, tokenizer: expect.stringContaining('word-level') });
    const model = new RobertaForSequenceClassification(robertaPreset('tiny', { numLabels: 2 }), { seed: 3 });
    expect(s.parameters).toBe(countParameters(model).total);
  });

  it('holds out a seeded 10% of a lone training file; a malformed file fails with file:line', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `sentence ${i}\t${i % 2}`).join('\n');
    const data = await loadData({ kind: 'files', task: 'sst2', seed: 1, train: { blob: new Blob([`sentence\tlabel\n${rows}\n`]), name: 'train.tsv' } });
    expect([data.train.length, data.validation.length, data.heldOut]).toEqual([27, 3, true]);
    expect(new Set([...data.train, ...data.validation].map((e) => e.textA)).size).toBe(30);
    await expect(loadData({ kind: 'files', task: 'sst2', seed: 1, train: { blob: new Blob(['sentence\tlabel\nok\t1\nbroken\n']), name: 'bad.tsv' } }))
      .rejects.toThrow('bad.tsv:3: expected 2 fields as in the header; found 1');
  });

  it('checks the form: a bad field is an ArgumentError naming it', () => {
    expect(() => checkSettings({ ...DEFAULT_SETTINGS, rank: 0 })).toThrow(ArgumentError);
    expect(() => checkSettings({ ...DEFAULT_SETTINGS, lr: Number.NaN })).toThrow('lr: expected a positive number; found NaN');
    expect(() => checkSettings({ ...DEFAULT_SETTINGS, method: 'adalora' as never })).toThrow('method: expected one of lora, dora, edora, lora-xs');
  });
});

describe('saved training state', () => {
  const settings: TrainSettings = { ...DEFAULT_SETTINGS, rank: 2, epochs: 2, batchSize: 16 };
  const model: ModelOrigin = { kind: 'folder', name: 'tiny', parameters: 1 };
  const origin: DataOrigin = { kind: 'synthetic', task: 'synthetic', trainSize: 48, validationSize: 16 };
  const dataSpec = { kind: 'synthetic', task: 'synthetic', trainSize: 48, validationSize: 16, seed: 1 } as const;
  const adapterBytes = async (run: StudioRun): Promise<Uint8Array> => (await run.adapterFiles())['adapter_model.safetensors'];

  it('a run stopped after 4 of 6 steps, saved and resumed from the zip, ends with the uninterrupted run\'s adapter bit for bit', async () => {
    const folder = await tinyFolder();
    const data = await loadData(dataSpec);
    const key = runKeyOf(settings, model, origin);

    const whole = await StudioRun.build(folder, data, settings);
    const wholeResults = await whole.fit(key, {});
    const want = await adapterBytes(whole);
    whole.dispose();

    const first = await StudioRun.build(folder, data, settings);
    const abort = new AbortController();
    let checkpoint: Uint8Array | null = null;
    await expect(first.fit(key, {
      signal: abort.signal,
      onStep: (r) => void (r.step === 4 && abort.abort()),
      onCheckpoint: (bytes) => void (checkpoint = bytes),
    })).rejects.toThrow();
    first.dispose();
    const zip = stateZip({ settings, model, data: origin, runKey: key }, checkpoint!, null);
    const saved = readStateZip(zip, 'state.zip');
    expect(saved.record).toMatchObject({ step: 4, totalSteps: 6, settings, data: origin });

    const resumed = await StudioRun.build(folder, data, saved.record.settings);
    const results = await resumed.fit(saved.record.runKey, {}, saved.checkpoint);
    expect(results.steps).toBe(6);
    expect(results.last?.metrics.accuracy).toBe(wholeResults.last?.metrics.accuracy);
    expect(await adapterBytes(resumed)).toEqual(want);
    resumed.dispose();
  });

  it('refuses a zip that is not a state, saying what it lacks', () => {
    expect(() => readStateZip(zipFolder('x', new Map([['a.txt', 'hi']])), 'other.zip')).toThrow('other.zip: expected studio-state.json and checkpoint.safetensors in the zip; found a.txt');
    expect(() => readStateZip(new Uint8Array([1, 2, 3]), 'junk.zip')).toThrow('junk.zip: expected a studio state (.zip)');
  });
});

describe('page helpers', () => {
  it('zips a folder and reads it back', () => {
    const files = unzipFolder(zipFolder('adapter', new Map<string, Uint8Array | string>([['a.json', '{"r":4}'], ['w.bin', new Uint8Array([0, 255, 7])]])));
    expect([...files.keys()]).toEqual(['a.json', 'w.bin']);
    expect(new TextDecoder().decode(files.get('a.json'))).toBe('{"r":4}');
    expect(Array.from(files.get('w.bin')!)).toEqual([0, 255, 7]);
  });

  it('ETA from the recent steps\' mean time; tokens/s over them', () => {
    const eta = new EtaEstimator(2);
    expect(eta.secondsLeft(10)).toBeNaN();
    eta.add(9, 100); // a slow first step falls out of the window
    eta.add(1, 100);
    eta.add(3, 300);
    expect(eta.secondsLeft(10)).toBe(20);
    expect(eta.tokensPerSecond()).toBe(100);
    expect([duration(42), duration(185), duration(3720)]).toEqual(['42 s', '3 min 05 s', '1 h 02 min']);
  });
});
