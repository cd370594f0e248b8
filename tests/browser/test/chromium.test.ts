import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend, dropout, ones } from '@edora/tensor';
import { hostRng, randomArray, refMatmul, refReduce } from '@edora/tensor/conformance';
import { chromiumMissingReason } from '../src/chromium.js';
import { openBrowserSession } from '../src/session.js';
import type { CpuAutogradInput, CpuAutogradResult } from '../pages/cpu-autograd.js';
import type { WasmPageInput, WasmPageResult } from '../pages/wasm-workers.js';
import type { WebGpuPageInput, WebGpuPageResult } from '../pages/webgpu.js';
import type { RobertaPageResult } from '../pages/roberta.js';
import type { GpujsPageResult } from '../pages/gpujs.js';
import { precisionErrors } from '../pages/gpujs-precision.js';
import { tinyRobertaEdoraSteps, type EdoraStepsOptions } from '../pages/tiny-roberta-edora.js';
import { autogradReference, worstError } from './reference.js';

/**
 * The library in a real browser: each test opens a page of tests/browser/pages in headless
 * Chromium, which computes with the packages bundled for the browser, and checks what the page
 * returns against values computed here, in Node, independently.
 */
const skipped = (title: string, reason: string | null): string => (reason ? `${title} (skipped: ${reason})` : title);

const noChromium = chromiumMissingReason();
if (noChromium) console.warn(`@edora/browser-tests skipped: ${noChromium}`);
const session = noChromium ? null : await openBrowserSession(['cpu-autograd', 'wasm-workers', 'webgpu', 'roberta', 'gpujs']);
const noWebGpu = session?.webgpu.missingReason ?? null;
if (noWebGpu) console.warn(`@edora/browser-tests: the webgpu test is skipped: ${noWebGpu}`);
afterAll(() => session?.close());

describe.skipIf(noChromium !== null)(skipped('in headless Chromium', noChromium), () => {
  it('cpu backend: a transposed product, broadcast bias, tanh, cross-entropy and L2 with their gradients match a float64 closed form', async () => {
    const rng = hostRng(11);
    const [n, d, c] = [6, 5, 4];
    const input: CpuAutogradInput = {
      n, d, c, l2: 0.05,
      x: Array.from(randomArray(n * d, rng)),
      w: Array.from(randomArray(c * d, rng, -0.7, 0.7)),
      b: Array.from(randomArray(c, rng, -0.5, 0.5)),
      labels: [0, 3, 1, 2, 3, 0],
    };
    const got = await session!.run<CpuAutogradResult>('cpu-autograd', input);
    const want = autogradReference(input);
    expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-6 * (1 + want.loss));
    for (const [name, actual, expected] of [
      ['tanh(x·Wᵀ + b)', got.activations, want.a],
      ['dL/dx', got.gradX, want.dX],
      ['dL/dW', got.gradW, want.dW],
      ['dL/db', got.gradB, want.dB],
    ] as const) {
      const { error, at } = worstError(actual, expected);
      expect(error, `${name}: element ${at} is ${actual[at]}, expected ${expected[at]}`).toBeLessThan(1e-6);
    }
  });

  it('wasm backend: Web Workers share the wasm memory of a cross-origin isolated page; a product and sums match float64', async () => {
    const rng = hostRng(12);
    const [m, k, n, rows, cols] = [1024, 96, 130, 37, 301];
    const input: WasmPageInput = {
      m, k, n, rows, cols,
      a: Array.from(randomArray(m * k, rng)),
      b: Array.from(randomArray(n * k, rng)),
      x: Array.from(randomArray(rows * cols, rng)),
    };
    const got = await session!.run<WasmPageResult>('wasm-workers', input);
    // the registry's browser entry saw the isolation and started one worker per extra core
    expect(got.crossOriginIsolated).toBe(true);
    expect(got.registered.threads).toBe(Math.min(got.hardwareConcurrency, 64));
    expect(got.threads).toBe(3);
    expect(got.chunksWarm.every((c) => c > 0), `chunks by thread after warm-up: ${got.chunksWarm}`).toBe(true);
    expect(got.chunksDuring.slice(1).some((c) => c > 0), `chunks by thread in the product: ${got.chunksDuring}`).toBe(true);

    const bT = new Float64Array(k * n);
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bT[p * n + j] = input.b[j * k + p]!;
    const product = worstError(got.product, refMatmul(Float64Array.from(input.a), bT, 1, m, k, n));
    expect(product.error, `a·bᵀ element ${product.at}`).toBeLessThan(1e-5);
    const x = Float64Array.from(input.x);
    const sumRows = worstError(got.sumRows, refReduce(x, [rows, cols], 1, 'sum'));
    const sumCols = worstError(got.sumCols, refReduce(x, [rows, cols], 0, 'sum'));
    // compensated sums rounded once to float32
    expect(sumRows.error, `row sums element ${sumRows.at}`).toBeLessThan(1e-6);
    expect(sumCols.error, `column sums element ${sumCols.at}`).toBeLessThan(1e-6);
  });

  it.skipIf(noWebGpu !== null)(
    skipped('webgpu backend through navigator.gpu: the @edora/tensor conformance suite passes and dropout masks equal the cpu backend\'s', noWebGpu),
    async () => {
      const input: WebGpuPageInput = { dropout: { size: 50_001, p: 0.1, seed: 2 ** 33 + 5, offset: 2 ** 32 - 1000 } };
      const got = await session!.run<WebGpuPageResult>('webgpu', input);
      expect(got.device).toMatch(/^WebGPU/);
      const failed = got.conformance.filter((t) => t.state === 'fail');
      expect(failed.map((t) => `${t.name}: ${t.message}`)).toEqual([]);
      expect(got.conformance.filter((t) => t.state === 'pass').length).toBeGreaterThan(80);
      // a test skips only where its title says why
      for (const t of got.conformance.filter((o) => o.state === 'skip')) expect(t.name).toMatch(/skipped/);

      const { size, p, seed, offset } = input.dropout;
      const cpu = new CpuBackend();
      const want = Array.from(await dropout(ones([size], { backend: cpu }), p, { seed, offset }).data());
      const differ = want.reduce((count, v, i) => count + (v === got.dropoutMask[i] ? 0 : 1), 0);
      expect(differ, `dropout mask elements that differ from the cpu backend's, of ${size}`).toBe(0);
      expect(got.dropoutMask.filter((v) => v === 0).length / size).toBeCloseTo(p, 2);
    },
  );

  it('tiny RoBERTa + EDoRA: AdamW steps on the page\'s best backend lower the loss and match the same steps on the cpu backend in Node', async () => {
    const options: EdoraStepsOptions = { steps: 5, seed: 3, lr: 5e-3 };
    const got = await session!.run<RobertaPageResult>('roberta', options);
    // webgpu where Chromium has an adapter, else wasm (the page is cross-origin isolated)
    expect(got.backend, `backends the page could not create: ${got.unavailable.join('; ')}`).toBe(noWebGpu ? 'wasm' : 'webgpu');
    expect(got.losses.every(Number.isFinite), `losses ${got.losses}`).toBe(true);
    expect(got.losses.at(-1)!, `losses ${got.losses}`).toBeLessThan(got.losses[0]! - 0.05);

    const want = await tinyRobertaEdoraSteps(new CpuBackend(), options);
    expect(got.trainable).toBe(want.trainable);
    const { error, at } = worstError(got.losses, want.losses);
    expect(error, `step ${at}: ${got.device} ${got.losses[at]}, cpu in Node ${want.losses[at]}`).toBeLessThan(1e-5);
  });

  it('gpujs backend on WebGL2: the @edora/tensor conformance suite passes; tiny RoBERTa + EDoRA equals the cpu backend, compiles once, and falls back only for int32/Philox/gather ops', async () => {
    const options: EdoraStepsOptions = { steps: 5, seed: 3, lr: 5e-3 };
    const got = await session!.run<GpujsPageResult>('gpujs', options);
    expect(got.webgl2, 'the page has a WebGL2 context').toBe(true);
    expect(got.mode).toBe('webgl2');
    const failed = got.conformance.filter((t) => t.state === 'fail');
    expect(failed.map((t) => `${t.name}: ${t.message}`)).toEqual([]);
    expect(got.conformance.filter((t) => t.state === 'pass').length).toBeGreaterThan(80);
    for (const t of got.conformance.filter((o) => o.state === 'skip')) expect(t.name).toMatch(/skipped/);

    // WebGL's float rules, measured against float64 (packages/backend-gpujs/README.md, "Precision")
    const errors = precisionErrors(got.precision);
    for (const [probe, bound] of Object.entries(GPUJS_PRECISION_BOUNDS)) expect(errors[probe], probe).toBeLessThan(bound);

    const want = await tinyRobertaEdoraSteps(new CpuBackend(), options);
    const { roberta } = got;
    expect(roberta.trainable).toBe(want.trainable);
    const { error, at } = worstError(roberta.losses, want.losses);
    expect(error, `step ${at}: gpujs ${roberta.losses[at]}, cpu in Node ${want.losses[at]}`).toBeLessThan(1e-5);
    // the second run of the same shapes compiled nothing
    const { before, first, second } = roberta.compiles;
    expect(first.compiles).toBeGreaterThan(before.compiles);
    expect(second.compiles).toBe(first.compiles);
    expect(second.runs - first.runs).toBe(first.runs - before.runs);
    // what ran on the host: int32 ops (label compares, mask casts), embedding gathers, Philox draws
    expect(Object.keys(roberta.fallbacks.host).sort()).toEqual(['binary', 'cast', 'gatherRows', 'random']);
  }, 600_000);
});

/**
 * Bounds for the gpujs precision probes on WebGL2 (worst error against float64; see
 * pages/gpujs-precision.ts for the measure). Measured in headless Chromium (ANGLE on SwiftShader),
 * each bound about 3× that: exp and log are where WebGL costs accuracy (GLSL ES 3.00 allows exp
 * 3 + 2·|x| ULP and log an absolute 2⁻²¹ near 1); float32 accumulation in products and sums is the
 * same as on gpu.js's WebAssembly path.
 */
const GPUJS_PRECISION_BOUNDS: Record<string, number> = {
  'matmul 256³': 1.5e-6,
  'sum of 4096': 6e-6,
  div: 2e-7,
  'exp on [-10, 10]': 1.5e-6,
  'log on (0, 100]': 4e-5,
  sqrt: 2e-7,
  'tanh on [-6, 6]': 4e-7,
  'erf on [-4, 4]': 1e-6,
  'gelu on [-6, 6]': 3e-6,
};
