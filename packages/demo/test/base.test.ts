import { describe, expect, it } from 'vitest';
import { bytesFolder, pretrainedFromFolder } from '@edora/models';
import { CpuBackend, useBackend } from '@edora/tensor';
import { DEMO_RECORD_FILE, demoBaseFiles, matchingDemoRecord, parseWordList, pretrainDemoBase, syntheticVocabulary, WORDS_FILE } from '../src/index.js';

useBackend(new CpuBackend());
const SMALL = { epochs: 2, batchSize: 16, lr: 3e-3, seed: 3, sentences: 48 };

describe('the demo base', () => {
  it('pretrains step by step (hooks see every step), and its folder loads back to the same weights with a fresh 2-label head', async () => {
    const steps: number[] = [];
    const epochs: number[] = [];
    const base = await pretrainDemoBase(SMALL, { onStep: (step, total) => void steps.push(step, total), onEpoch: (e, loss) => void epochs.push(e, loss) });
    expect(steps.filter((_, i) => i % 2 === 0)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(steps.filter((_, i) => i % 2 === 1).every((t) => t === 6)).toBe(true);
    expect(epochs[0]).toBe(1);
    expect(epochs[2]).toBe(2);
    expect(base.record).toMatchObject({ objective: 'animal-pair-v2', backend: 'cpu', settings: SMALL, loss: epochs[3] });
    expect(base.vocabulary).toEqual(syntheticVocabulary());

    const files = await demoBaseFiles(base);
    expect([...files.keys()]).toEqual(['model.safetensors', 'config.json', WORDS_FILE, DEMO_RECORD_FILE]);
    expect(parseWordList(files.get(WORDS_FILE) as string)).toEqual(base.vocabulary);
    const bytes = new Map([...files].map(([k, v]) => [k, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
    const { model } = await pretrainedFromFolder(bytesFolder('base', bytes));
    expect(model.config.numLabels).toBe(2);
    for (const [name, p] of base.model.namedParameters()) expect(Array.from(await model.getParameter(name).data()), name).toEqual(Array.from(await p.data()));
  });

  it('reuses a cached record only for the same objective and settings', () => {
    const record = JSON.stringify({ objective: 'animal-pair-v2', loss: 1, seconds: 2, backend: 'wasm', settings: SMALL });
    expect(matchingDemoRecord(record, SMALL)?.loss).toBe(1);
    expect(matchingDemoRecord(record, { ...SMALL, epochs: 3 })).toBeNull();
    expect(matchingDemoRecord(record.replace('animal-pair-v2', 'animal-pair-v1'), SMALL)).toBeNull();
    expect(matchingDemoRecord('{', SMALL)).toBeNull();
    expect(matchingDemoRecord(null, SMALL)).toBeNull();
  });

  it('stops between steps when its signal aborts', async () => {
    const controller = new AbortController();
    let seen = 0;
    const run = pretrainDemoBase(SMALL, { signal: controller.signal, onStep: (step) => { seen = step; if (step === 2) controller.abort(); } });
    await expect(run).rejects.toThrow(/abort/i);
    expect(seen).toBe(2);
  });

  it('words.json must be a JSON array of strings', () => {
    expect(() => parseWordList('{"a": 1}', 'base/words.json')).toThrow(/base\/words\.json: expected a JSON array of words; found \{"a": 1\}/);
    expect(() => parseWordList('[1, 2', 'w.json')).toThrow(/w\.json: expected a JSON array of words; found invalid JSON/);
  });
});
