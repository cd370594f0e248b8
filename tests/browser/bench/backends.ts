/**
 * gpujs (WebGL2) vs webgpu vs wasm in headless Chromium, one page, one run (pages/bench-backends.ts):
 * float32 GEMM GFLOP/s, the tiny RoBERTa + EDoRA step, and the share of op runs on the host
 * fallback. `pnpm --filter @edora/browser-tests bench`; prints a markdown table for docs/benchmarks.md.
 */
import { loadavg } from 'node:os';
import { chromiumMissingReason } from '../src/chromium.js';
import { openBrowserSession } from '../src/session.js';
import type { BenchInput, BenchResult } from '../pages/bench-backends.js';

const missing = chromiumMissingReason();
if (missing) {
  console.error(`browser benchmark not run: ${missing}`);
  process.exit(1);
}
const input: BenchInput = { gemmSizes: [128, 256, 512], gemmReps: 3, steps: 4 };
const session = await openBrowserSession(['bench-backends']);
try {
  const load = loadavg()[0]!.toFixed(1);
  const got = await session.run<BenchResult>('bench-backends', input);
  console.log(`Chromium: ${got.userAgent}; ${got.hardwareConcurrency} hardware threads; load average at start ${load}, at end ${loadavg()[0]!.toFixed(1)}`);
  for (const u of got.unavailable) console.log(`unavailable: ${u}`);
  const sizes = input.gemmSizes;
  console.log(`\n| backend | device | ${sizes.map((n) => `GEMM ${n}³ GFLOP/s`).join(' | ')} | tiny EDoRA step (ms) | op runs on the host fallback |`);
  console.log(`|---|---|${sizes.map(() => '---|').join('')}---|---|`);
  for (const r of got.results) {
    const host = Object.values(r.hostRuns).reduce((p, c) => p + c, 0);
    const byOp = Object.entries(r.hostRuns).map(([op, c]) => `${op} ${c}`).join(', ');
    console.log(
      `| ${r.backend} | ${r.device} | ${sizes.map((n) => r.gemmGflops[n]!.toFixed(2)).join(' | ')} | ${r.stepMs.toFixed(0)} | ` +
        `${host} of ${r.opRuns} (${((100 * host) / r.opRuns).toFixed(1)}%)${byOp ? `: ${byOp}` : ''} |`,
    );
  }
} finally {
  await session.close();
}
