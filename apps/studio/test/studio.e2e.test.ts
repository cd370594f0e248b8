import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissingReason, launchChromium, type LaunchedChromium } from '@edora/browser-tests/chromium';
import type { Page } from 'playwright-core';
import { getTask } from '@edora/glue';
import { serveBuild, type ServedBuild } from './served-build.js';
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

beforeAll(async () => {
  if (noChromium) return;
  served = await serveBuild();
  browser = await launchChromium();
  page = await browser.context.newPage();
  await page.setViewportSize({ width: 1200, height: 900 });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${served.origin}/${process.env.EDORA_STUDIO_BACKEND ? `?backend=${process.env.EDORA_STUDIO_BACKEND}` : ''}`);
  await page.waitForFunction(() => document.getElementById('backend-status')?.dataset.backend, null, { timeout: 60_000 });
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

describe.skipIf(noChromium !== null)(noChromium ? `studio in headless Chromium (skipped: ${noChromium})` : 'studio in headless Chromium', () => {
  it('says which backend runs and why', async () => {
    const status = await page.textContent('#backend-status');
    const name = await page.getAttribute('#backend-status', 'data-backend');
    expect(['webgpu', 'wasm', 'cpu']).toContain(name);
    expect(status).toContain(`${name}:`);
  });

  it('trains the demo with EDoRA: the loss plot gets points, progress moves, the metric is in [0, 1], the downloaded adapter predicts as the page did', async () => {
    await page.click('#demo-options summary');
    await page.fill('#pretrain-epochs', '1');
    await page.fill('#pretrain-sentences', '256');
    await page.fill('#train-size', '96');
    await page.fill('#validation-size', '32');
    await page.selectOption('#method', 'edora');
    await page.fill('#rank', '4');
    await page.fill('#epochs', '2');
    await page.fill('#batch-size', '16');
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

  it('reports a malformed TSV with its file and line', async () => {
    await page.check('input[name=data-kind][value=files]');
    await page.selectOption('#glue-task', 'sst2');
    await page.setInputFiles('#train-file', { name: 'train.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from('sentence\tlabel\nhello world\t1\nbad row without tab\n') });
    await page.waitForFunction(() => document.getElementById('data-error')?.textContent, null, { timeout: 30_000 });
    expect(await page.textContent('#data-error')).toContain('train.tsv:3: expected 2 fields as in the header; found 1');
  });

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
