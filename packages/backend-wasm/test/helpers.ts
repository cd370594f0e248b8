import { matmul, noGrad, randn, tidy } from '@edora/tensor';
import type { WasmBackend } from '../src/index.js';

/**
 * Runs 256³ products on `be` until every thread has done at least one chunk (workers start
 * asynchronously and miss the products issued before they are up), for at most `ms`.
 * Returns the per-thread chunk counts.
 */
export async function untilEveryThreadWorks(be: WasmBackend, ms = 20_000): Promise<number[]> {
  const end = Date.now() + ms;
  const a = randn([256, 256], { seed: 1, backend: be });
  try {
    while (be.chunksByThread().some((c) => c === 0) && Date.now() < end) {
      noGrad(() => tidy(() => void matmul(a, a)));
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    a.dispose();
  }
  return be.chunksByThread();
}
