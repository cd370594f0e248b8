/**
 * The demo's fine-tuning speed in the studio's page, per backend, against the same run in Node:
 * demo base (its speed does not depend on the pretraining, so that is kept short), EDoRA r = 8 on
 * 256 synthetic examples, batch 32, 2 epochs; the number is training tokens (batch × padded length)
 * per second of the second epoch's steps, as fit reports it (the first epoch holds compilation and
 * warm-up). Run: pnpm --filter @edora/studio bench
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromiumMissingReason, launchChromium } from '@edora/browser-tests/chromium';
import { fillDemoRun, openStudio } from '../test/drive-page.js';
import { serveBuild } from '../test/served-build.js';
import { BENCH_RUN as RUN } from './run-settings.js';

/** The same run in Node, in a fresh process (node-run.ts). */
async function inNode(backend: string): Promise<number> {
  const script = fileURLToPath(new URL('./node-run.ts', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--conditions=@edora/source', '--import', 'tsx', script, backend], { cwd: fileURLToPath(new URL('..', import.meta.url)) });
  return (JSON.parse(stdout.trim().split('\n').at(-1)!) as { tokensPerSecond: number }).tokensPerSecond;
}

interface PageRun {
  backend: string;
  device: string;
  tokensPerSecond: number;
}

async function inPage(backends: readonly string[], browser: Awaited<ReturnType<typeof launchChromium>>, origin: string): Promise<Map<string, PageRun>> {
  const out = new Map<string, PageRun>();
  for (const wanted of backends) {
    const page = await browser.context.newPage();
    const backend = await openStudio(page, origin, wanted);
    const device = (await page.textContent('#backend-status')) ?? '';
    await fillDemoRun(page, RUN);
    await page.click('#start');
    await page.waitForSelector('#metric-value', { timeout: 1_200_000 });
    const cells = await page.$$eval('#epoch-table tbody tr:last-child td', (tds) => tds.map((td) => td.textContent ?? ''));
    out.set(wanted, { backend, device: device.split(' — ').at(-1) ?? device, tokensPerSecond: Number(cells.at(-1)) });
    await page.close();
  }
  return out;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = async (): Promise<string> => (await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ');

// ROUNDS rounds, page and Node alternating, so a load change on the shared machine hits both; the
// software WebGPU adapter (~60 tokens/s) runs once, at the end of the first round.
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const missing = chromiumMissingReason();
if (missing) console.log(`page runs skipped: ${missing}`);
const served = missing ? null : await serveBuild();
const browser = missing ? null : await launchChromium();
const pageRuns = new Map<string, PageRun[]>();
const nodeRuns = new Map<string, number[]>();
const loads: string[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    loads.push(await load());
    for (const backend of ['wasm', 'cpu']) (nodeRuns.get(backend) ?? nodeRuns.set(backend, []).get(backend)!).push(await inNode(backend));
    if (browser && served) {
      for (const [wanted, r] of await inPage(round === 0 ? ['wasm', 'cpu', 'webgpu'] : ['wasm', 'cpu'], browser, served.origin)) {
        (pageRuns.get(wanted) ?? pageRuns.set(wanted, []).get(wanted)!).push(r);
      }
    }
    console.log(`round ${round + 1}: node ${[...nodeRuns].map(([b, t]) => `${b} ${t.at(-1)!.toFixed(0)}`).join(', ')}; page ${[...pageRuns].map(([b, t]) => `${b} ${t.at(-1)!.tokensPerSecond.toFixed(0)}`).join(', ')}`);
  }
} finally {
  await browser?.close();
  await served?.close();
}
loads.push(await load());

console.log(`\nload average (1/5/15 min) at each round's start and at the end: ${loads.join(' · ')}`);
console.log('\n| where | backend (device) | tokens/s, epoch 2 (median) | runs | vs Node, same backend |');
console.log('|---|---|---:|---|---:|');
for (const [wanted, runs] of pageRuns) {
  const r = runs[0]!;
  const t = median(runs.map((x) => x.tokensPerSecond));
  const peer = nodeRuns.get(r.backend);
  console.log(`| page (Chromium) | ${wanted}${r.backend === wanted ? '' : ` → ${r.backend}`} (${r.device}) | ${t.toFixed(0)} | ${runs.map((x) => x.tokensPerSecond.toFixed(0)).join(', ')} | ${peer ? `${(t / median(peer)).toFixed(2)}×` : '–'} |`);
}
for (const [backend, runs] of nodeRuns) console.log(`| Node ${process.version} | ${backend} | ${median(runs).toFixed(0)} | ${runs.map((x) => x.toFixed(0)).join(', ')} | 1.00× |`);
process.exit(0);
