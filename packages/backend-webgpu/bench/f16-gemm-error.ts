import { hostRng, randomArray, refMatmul } from '@edora/tensor/conformance';
import { table } from '@edora/bench-kit';

// Would an opt-in f16-operand GEMM (shader-f16: operand tiles in f16, f32 accumulation) pass the
// conformance suite's matmul tolerance? This measures the best case on the host: operands rounded
// to f16 (round to nearest even, as a GPU converts), products accumulated exactly in float64, so
// only the operand rounding counts; a GPU adds its f32 accumulation error on top. Data as in the
// conformance test: uniform in [−1, 1]; tolerance as there: float32's rtol 2e-6 / atol 1e-6 scaled
// by 4·√(K+1). Two modes: both operands in f16, and only B (a frozen weight) in f16.
// Run: node --conditions=@edora/source --import tsx bench/f16-gemm-error.ts

/** Nearest float16 value (ties to even), subnormals and overflow included. */
export function roundF16(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const a = Math.abs(x);
  if (a >= 65520) return Math.sign(x) * Infinity;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const quantum = 2 ** (Math.max(e, -14) - 10);
  const m = a / quantum;
  let r = Math.round(m);
  if (r - m === 0.5 && r % 2 === 1) r--;
  return Math.sign(x) * r * quantum;
}

const shapes: [number, number, number][] = [[5, 7, 3], [17, 33, 9], [64, 70, 65], [1, 128, 1], [64, 768, 64], [64, 3072, 64]];

function worstRatio(got: Float64Array, want: Float64Array, K: number): number {
  const s = 4 * Math.sqrt(K + 1);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (1e-6 * s + 2e-6 * s * Math.abs(want[i]!)));
  return worst;
}

const rng = hostRng(16);
const rows: string[][] = [];
for (const [M, K, N] of shapes) {
  const a = randomArray(M * K, rng, -1, 1).map((v) => Math.fround(v));
  const b = randomArray(K * N, rng, -1, 1).map((v) => Math.fround(v));
  const want = refMatmul(a, b, 1, M, K, N);
  const both = refMatmul(a.map(roundF16), b.map(roundF16), 1, M, K, N);
  const weightOnly = refMatmul(a, b.map(roundF16), 1, M, K, N);
  rows.push([`${M}×${K} · ${K}×${N}`, worstRatio(both, want, K).toFixed(1), worstRatio(weightOnly, want, K).toFixed(1)]);
}
console.log('worst |error| / conformance tolerance (≤ 1 passes), f16 operands with exact accumulation:\n');
console.log(table(['product', 'A and B in f16', 'B only in f16'], rows));
