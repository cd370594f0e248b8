import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, launchChromium, type LaunchedChromium } from '@edora/browser-tests/chromium';
import type { Page } from 'playwright-core';
import { getTask } from '@edora/glue';
import { fillDemoRun, openStudio } from './drive-page.js';
import { APP_ROOT, serveBuild, type ServedBuild } from './served-build.js';
import { adaptedClassifier, classifierOf, logitsOf, unzipDownload } from './node-predictions.js';

/**
 * The studio end to end: the built app served as a static folder, driven in headless Chromium
 * as a person would — the demo base (pretrained small, to keep CPU time low), EDoRA on the
 * synthetic task, a short run — then the downloaded adapter loaded in Node with @edora/layers must
 * give the predictions the page showed. EDORA_STUDIO_SCREENSHOTS=<dir> saves before/after PNGs.
 */
const noChromium = chromiumMissingReason();
const shots = process.env.EDORA_STUDIO_SCREENSHOTS;

let served: ServedBuild;
let browser: LaunchedChromium;
let page: Page;
const pageErrors: string[] = [];
/** The demo base the first run downloaded (dropped back as a folder later). */
let demoBaseFiles: Map<string, Uint8Array> | null = null;

beforeAll(async () => {
  if (noChromium) return;
  served = await serveBuild();
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await openStudio(page, served.origin, process.env.EDORA_STUDIO_BACKEND);
});

afterAll(async () => {
  await browser?.close();
  await served?.close();
});

async function download(id: string): Promise<Uint8Array> {
  const [file] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click(`#${id}`)]);
  return new Uint8Array(await readFile((await file.path())!));
}

const SENTENCES = ['the mouse watched the cat near the river', 'the hungry dog followed the old ant at dawn', 'the old fox followed the wolf at dawn'];
const MAX_LENGTH = 64;
const SYNTHETIC = getTask('synthetic');
const SHARED = resolve(APP_ROOT, '../../../shared/data');
const SHARED_MLM = join(SHARED, 'models/tiny-roberta-mlm');
const SHARED_SST2 = join(SHARED, 'glue/SST-2');

describe.skipIf(noChromium !== null)(noChromium ? `studio in headless Chromium (skipped: ${noChromium})` : 'studio in headless Chromium', () => {
  it('says which backend runs and why', async () => {
    const status = await page.textContent('#backend-status');
    const name = await page.getAttribute('#backend-status', 'data-backend');
    expect(['webgpu', 'wasm', 'cpu']).toContain(name);
    expect(status).toContain(`${name}:`);
  });

  it('labels every control, reaches Start by keyboard, and fits a phone\'s width', async () => {
    const unlabelled = await page.$$eval('input:not([type=hidden]):not([hidden]), select, textarea', (els) =>
      els.filter((e) => (e as HTMLInputElement).labels?.length === 0 && !e.getAttribute('aria-label')).map((e) => e.id || e.outerHTML));
    expect(unlabelled).toEqual([]);
    await page.focus('#method');
    for (let i = 0; i < 40 && (await page.evaluate(() => document.activeElement?.id)) !== 'start'; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('start');
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1200, height: 900 });
  });

  it('trains the demo with EDoRA: the loss plot gets points, progress moves, the metric is in [0, 1], the downloaded adapter predicts as the page did', async () => {
    await fillDemoRun(page, { pretrainEpochs: 1, pretrainSentences: 256, trainSize: 96, validationSize: 32, method: 'edora', rank: 4, epochs: 2, batchSize: 16 });
    await page.fill('#predict-input', SENTENCES.join('\n'));
    if (shots) await page.screenshot({ path: join(shots, 'studio-before.png'), fullPage: true });

    await page.click('#start');
    // mid-run: the loss chart has points and the bar has moved
    await page.waitForFunction(() => Number(document.getElementById('loss-chart')?.dataset.points) >= 2, null, { timeout: 180_000 });
    const progress = await page.$eval('#train-progress', (p) => (p as HTMLProgressElement).value);
    expect(progress).toBeGreaterThan(0);
    await page.waitForSelector('#metric-value', { timeout: 180_000 });
    expect(pageErrors).toEqual([]);
    expect(await page.textContent('#train-error')).toBe('');

    const metric = Number(await page.getAttribute('#metric-value', 'data-value'));
    expect(await page.getAttribute('#metric-value', 'data-metric')).toBe('accuracy');
    expect(metric).toBeGreaterThanOrEqual(0);
    expect(metric).toBeLessThanOrEqual(1);
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBe(12); // 2 epochs × 96/16 steps
    expect(Number(await page.getAttribute('#metric-chart', 'data-points'))).toBe(2);
    expect(await page.$eval('#train-progress', (p) => (p as HTMLProgressElement).value)).toBe(12);
    expect(await page.textContent('#trainable')).toMatch(/Trainable parameters: [\d,]+ of [\d,]+/);

    await page.waitForFunction(() => document.getElementById('predictions')?.dataset.predictions, null, { timeout: 60_000 });
    const shown = JSON.parse((await page.getAttribute('#predictions', 'data-predictions'))!) as { textA: string; label: string; logits: number[] }[];
    expect(shown.map((p) => p.textA)).toEqual(SENTENCES);
    if (shots) await page.screenshot({ path: join(shots, 'studio-after.png'), fullPage: true });

    const adapter = unzipDownload(await download('download-adapter'));
    const base = unzipDownload(await download('download-base'));
    demoBaseFiles = base;
    const merged = unzipDownload(await download('download-merged'));
    expect([...adapter.keys()].sort()).toEqual(['adapter_config.json', 'adapter_model.safetensors', 'reconstr_config.json']);
    expect(JSON.parse(new TextDecoder().decode(adapter.get('adapter_config.json'))).r).toBe(4);
    expect(merged.has('model.safetensors') && merged.has('config.json')).toBe(true);

    // Node, cpu backend: base + adapter through @edora/layers, and the merged model, against the page's logits
    const inNode = await logitsOf(await adaptedClassifier(base, adapter, 2), base.get('words.json')!, SENTENCES, MAX_LENGTH);
    const mergedInNode = await logitsOf(await classifierOf(merged, 2), merged.get('words.json')!, SENTENCES, MAX_LENGTH);
    for (let i = 0; i < SENTENCES.length; i++) {
      for (let j = 0; j < 2; j++) {
        expect(Math.abs(inNode[i]![j]! - shown[i]!.logits[j]!), `sentence ${i} logit ${j}: node ${inNode[i]} page ${shown[i]!.logits}`).toBeLessThan(2e-3);
        expect(Math.abs(mergedInNode[i]![j]! - shown[i]!.logits[j]!), `merged: sentence ${i} logit ${j}`).toBeLessThan(2e-3);
      }
      // the label the page printed is the task's name for the class Node's logits pick
      expect(shown[i]!.label).toBe(SYNTHETIC.labelNames[inNode[i]![1]! > inNode[i]![0]! ? 1 : 0]);
    }
  });

  it('Pause holds the run, Resume finishes it; a state saved while paused, after Stop, resumes to the last step', async () => {
    await page.fill('#train-size', '480');
    await page.fill('#epochs', '3'); // 90 steps: long enough for Pause to land mid-run
    const step = async (): Promise<number> => Number(await page.getAttribute('#progress-text', 'data-step'));
    const bar = async (): Promise<number> => page.$eval('#train-progress', (p) => (p as HTMLProgressElement).value);
    const startPaused = async (): Promise<number> => {
      await page.click('#start');
      // this run's bar (reset to 0 when the run is built) has moved, and the run is not over
      await page.waitForFunction(() => {
        const bar = document.getElementById('train-progress') as HTMLProgressElement;
        return bar.max === 90 && bar.value >= 1 && bar.value < 90;
      }, null, { timeout: 120_000, polling: 20 });
      await page.click('#pause');
      await page.waitForFunction(() => document.getElementById('pause')?.textContent === 'Resume', null, { timeout: 30_000 });
      await page.waitForTimeout(2000); // the step in flight when Pause was pressed finishes
      return step();
    };
    const done = (): Promise<unknown> => page.waitForFunction(() => document.getElementById('progress-text')?.textContent?.startsWith('done'), null, { timeout: 180_000 });

    const held = await startPaused();
    expect(held).toBeLessThan(90);
    await page.waitForTimeout(1500);
    expect(await step(), 'a paused run takes no step').toBe(held);
    const state = unzipDownload(await download('download-state'));
    const record = JSON.parse(new TextDecoder().decode(state.get('studio-state.json'))) as { step: number; totalSteps: number };
    expect([record.step, record.totalSteps]).toEqual([held, 90]);
    expect([...state.keys()]).toContain('base/model.safetensors');
    await page.click('#pause'); // now labelled Resume
    await done();
    expect(await bar()).toBe(90);
    expect(Number(await page.getAttribute('#loss-chart', 'data-points'))).toBe(90);

    const stoppedAt = await startPaused();
    const zip = await download('download-state');
    await page.click('#stop');
    await page.waitForFunction(() => document.getElementById('progress-text')?.textContent?.startsWith('stopped'), null, { timeout: 60_000 });
    await page.setInputFiles('#state-file', { name: 'edora-studio-state.zip', mimeType: 'application/zip', buffer: Buffer.from(zip) });
    await done();
    expect(await page.textContent('#train-error')).toBe('');
    expect(await bar()).toBe(90);
    expect(Number(await page.getAttribute('#loss-chart', 'data-points')), `the resumed run logs steps ${stoppedAt + 1}..90`).toBe(90 - stoppedAt);
    const metric = Number(await page.getAttribute('#metric-value', 'data-value'));
    expect(metric).toBeGreaterThanOrEqual(0);
    expect(metric).toBeLessThanOrEqual(1);
  });

  it('reports a malformed TSV, picked or dropped, with its file and line', async () => {
    await page.check('input[name=data-kind][value=files]');
    await page.selectOption('#glue-task', 'sst2');
    await page.setInputFiles('#train-file', { name: 'train.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from('sentence\tlabel\nhello world\t1\nbad row without tab\n') });
    await page.waitForFunction(() => document.getElementById('data-error')?.textContent, null, { timeout: 30_000 });
    expect(await page.textContent('#data-error')).toContain('train.tsv:3: expected 2 fields as in the header; found 1');

    // the same through a drop on the data box (a DataTransfer with the file, as a drag from the desktop gives)
    await page.evaluate(() => {
      const data = new DataTransfer();
      data.items.add(new File(['sentence\tlabel\nfine\t0\nalso fine\t1\nthree\tfields\there\n'], 'dropped.tsv', { type: 'text/tab-separated-values' }));
      document.getElementById('data-drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.getElementById('data-error')?.textContent?.includes('dropped.tsv'), null, { timeout: 30_000 });
    expect(await page.textContent('#data-error')).toContain('dropped.tsv:4: expected 2 fields as in the header; found 3');
  });

  it('takes a model folder dropped as loose files (the downloaded demo base) and summarizes it', async () => {
    expect(demoBaseFiles).not.toBeNull();
    await page.check('input[name=model-kind][value=folder]');
    const files = [...demoBaseFiles!].map(([name, bytes]) => ({ name, bytes: Array.from(bytes) }));
    await page.evaluate((list) => {
      const data = new DataTransfer();
      for (const f of list) data.items.add(new File([new Uint8Array(f.bytes)], f.name));
      document.getElementById('folder-options')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, files);
    await page.waitForFunction(() => document.getElementById('folder-name')?.textContent?.includes('model.safetensors'), null, { timeout: 30_000 });
    await page.click('#load-model');
    await page.waitForFunction(() => document.getElementById('model-summary')?.children.length, null, { timeout: 60_000 });
    const summary = await page.textContent('#model-summary');
    expect(summary).toContain('RobertaForSequenceClassification');
    expect(summary).toContain('2 × 64');
    expect(summary).toContain('word-level');
    expect(await page.textContent('#model-error')).toBe('');
  });

  // The worktree's ../shared/data (repo root's parent): the pretrained tiny-roberta-mlm and GLUE's SST-2.
  it.skipIf(!existsSync(SHARED_MLM) || !existsSync(SHARED_SST2))(
    existsSync(SHARED_MLM) && existsSync(SHARED_SST2)
      ? 'a Hugging Face folder and GLUE SST-2 files train LoRA to a score'
      : `a Hugging Face folder and GLUE SST-2 files (skipped: ${existsSync(SHARED_MLM) ? SHARED_SST2 : SHARED_MLM} is absent)`,
    async () => {
      await page.check('input[name=model-kind][value=folder]');
      await page.setInputFiles('#folder-input', SHARED_MLM); // the <input webkitdirectory> the picker falls back to
      await page.click('#load-model');
      await page.waitForFunction(() => document.getElementById('model-summary')?.children.length, null, { timeout: 120_000 });
      const summary = await page.textContent('#model-summary');
      expect(summary).toContain('RobertaForMaskedLM');
      expect(summary).toContain('4 × 256');
      expect(summary).toContain('byte-level BPE (vocab.json + merges.txt)');

      const lines = async (file: string, n: number): Promise<Buffer> => Buffer.from((await readFile(file, 'utf8')).split('\n').slice(0, n + 1).join('\n') + '\n');
      await page.selectOption('#glue-task', 'sst2');
      await page.setInputFiles('#validation-file', { name: 'dev.tsv', mimeType: 'text/tab-separated-values', buffer: await lines(join(SHARED_SST2, 'dev.tsv'), 16) });
      await page.setInputFiles('#train-file', { name: 'train.tsv', mimeType: 'text/tab-separated-values', buffer: await lines(join(SHARED_SST2, 'train.tsv'), 24) });
      await page.waitForFunction(() => document.getElementById('data-status')?.textContent?.includes('24 training / 16 validation'), null, { timeout: 60_000 });
      expect(await page.textContent('#data-error')).toBe('');
      expect(await page.textContent('#data-preview')).toContain('hide new secretions from the parental units');

      await page.selectOption('#method', 'lora');
      await page.fill('#rank', '2');
      await page.fill('#epochs', '1');
      await page.fill('#batch-size', '8');
      // before Start: LoRA r = 2 on 4 layers × (3 Linear 256→256 at 2·512 + output.dense 1024→256 at 2·1280)
      // = 22,528, plus the head (256·256 + 256 + 256·2 + 2 = 66,306)
      await page.waitForFunction(() => document.getElementById('trainable')?.textContent?.includes('(lora, r = 2'), null, { timeout: 60_000 });
      expect(await page.textContent('#trainable')).toMatch(/^Trainable parameters: 88,834 \(lora, r = 2/);
      await page.fill('#predict-input', 'a gorgeous , witty film\nlabored and dull');
      await page.click('#start');
      await page.waitForFunction(() => document.getElementById('progress-text')?.textContent?.startsWith('done'), null, { timeout: 240_000 });
      expect(await page.textContent('#train-error')).toBe('');
      const metric = Number(await page.getAttribute('#metric-value', 'data-value'));
      expect(metric).toBeGreaterThanOrEqual(0);
      expect(metric).toBeLessThanOrEqual(1);
      await page.waitForFunction(() => JSON.parse(document.getElementById('predictions')?.dataset.predictions ?? '[]')[0]?.textA === 'a gorgeous , witty film', null, { timeout: 60_000 });
      const labels = (JSON.parse((await page.getAttribute('#predictions', 'data-predictions'))!) as { label: string }[]).map((p) => p.label);
      for (const l of labels) expect(['negative', 'positive']).toContain(l);
    },
  );

  // last: it restarts the worker on another backend
  it('offers WebGL2 (gpu.js) where the browser has WebGL2, and starts it there on gpu.js\'s WebGL2 kernels', async () => {
    const offered = await page.$$eval('#backend option', (options) => options.map((o) => (o as HTMLOptionElement).value));
    const hasWebgl2 = await page.evaluate(() => document.createElement('canvas').getContext('webgl2') !== null);
    expect(offered.includes('gpujs')).toBe(hasWebgl2);
    if (!hasWebgl2) return;
    await page.selectOption('#backend', 'gpujs');
    await page.waitForFunction(() => document.getElementById('backend-status')?.dataset.backend === 'gpujs', null, { timeout: 60_000 });
    expect(await page.textContent('#backend-status')).toMatch(/^gpujs: chosen by you — gpu\.js webgl2/);
    expect(pageErrors).toEqual([]);
  });
});
