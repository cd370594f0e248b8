import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TensorView } from '@edora/tensor';
import { planOp } from '../src/kernels/index.js';
import type { PlanContext } from '../src/kernels/program.js';
import type { WebGpuBackend } from '../src/index.js';
import { adapterHasSubgroups, createTestBackend, noGpuReason } from './gpu.js';
import { rowReductionChecks, type CheckResult } from './row-reductions.js';

/**
 * The subgroup reductions against float64 references and against the tree path they replace,
 * at the adapter's own subgroup size (8 on lavapipe) and, in child processes, at 4 and 16
 * (llvmpipe's subgroup size follows LP_NATIVE_VECTOR_WIDTH).
 */
function expectAllPass(results: CheckResult[]): void {
  const failed = results.filter((r) => !(r.excess <= 0));
  expect(failed.map((r) => `${r.label}: ${r.detail}`)).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(80);
}

const view = (shape: number[]): TensorView => ({
  buffer: { byteLength: 4 * shape.reduce((p, q) => p * q, 1) }, dtype: 'float32', shape, strides: [shape[1]!, 1], offset: 0,
});

describe('kernel planning with and without subgroups', () => {
  const ctx = (subgroups: boolean, software = false): PlanContext => ({
    maxBindingBytes: 2 ** 27, bindingAlignment: 256, gemm: 'tiled', subgroups, software,
  });
  it('row kernels and long reductions enable the extension and call subgroupAdd/Max only when asked', () => {
    for (const subgroups of [true, false]) {
      const [softmax] = planOp('softmax', [view([4, 100])], [view([4, 100])], {}, ctx(subgroups));
      const [sum] = planOp('reduce', [view([2, 1000])], [view([2, 1])], { fn: 'sum', axis: 1 }, ctx(subgroups));
      const [max] = planOp('reduce', [view([2, 1000])], [view([2, 1])], { fn: 'max', axis: 1 }, ctx(subgroups));
      for (const [d, op] of [[softmax!, 'subgroupMax'], [sum!, 'subgroupAdd'], [max!, 'subgroupMax']] as const) {
        const code = d.wgsl({ name: ['b0', 'b1'] });
        expect(code.includes(`${op}(`), `${d.op} ${subgroups}`).toBe(subgroups);
        expect(d.enables ?? []).toEqual(subgroups ? ['subgroups'] : []);
        expect(d.key.includes(':sg')).toBe(subgroups);
      }
    }
    // short axes keep one invocation per output: no workgroup reduction to speed up
    const [short] = planOp('reduce', [view([2, 100])], [view([2, 1])], { fn: 'sum', axis: 1 }, ctx(true));
    expect(short!.enables).toBeUndefined();
    // 100 outputs: enough invocations for a CPU emulator, not for a GPU
    const cols = (software: boolean): string =>
      planOp('reduce', [view([1000, 100])], [view([1, 100])], { fn: 'sum', axis: 0 }, ctx(true, software))[0]!.key;
    expect(cols(false)).toMatch(/^map:reduceWg:/);
    expect(cols(true)).toMatch(/^map:reduce:/);
  });
});

for (const subgroups of [true, false]) {
  const reason = noGpuReason ?? (subgroups && !adapterHasSubgroups ? 'the adapter has no subgroups feature' : null);
  describe.skipIf(reason !== null)(`webgpu row reductions, subgroups ${subgroups ? 'on' : 'off'}${reason ? ` (skipped: ${reason})` : ''}`, () => {
    let b: WebGpuBackend;
    beforeAll(async () => {
      b = await createTestBackend({ features: { subgroups } });
    });
    afterAll(() => b?.dispose());

    it('the option decides whether the device gets the feature', () => {
      expect(b.features.subgroups).toBe(subgroups);
      expect(b.device.features.has('subgroups')).toBe(subgroups);
      if (subgroups) expect(b.features.subgroupMinSize).toBeGreaterThanOrEqual(4);
    });

    it('softmax, log-softmax, cross-entropy, layerNorm (± backward), rowNorm and long sum/max match float64', async () => {
      expectAllPass(await rowReductionChecks(b));
    });
  });
}

const llvmpipe = noGpuReason === null && adapterHasSubgroups && (await createTestBackend().then((b) => {
  const is = /llvmpipe/.test(b.capabilities.device);
  b.dispose();
  return is;
}));
for (const [width, size] of [[128, 4], [512, 16]] as const) {
  const reason = noGpuReason ?? (llvmpipe ? null : 'needs lavapipe, whose subgroup size LP_NATIVE_VECTOR_WIDTH sets');
  it.skipIf(reason !== null)(`subgroups of ${size} (llvmpipe at ${width}-bit vectors, a child process)${reason ? ` (skipped: ${reason})` : ''}`, () => {
    const child = fileURLToPath(new URL('./subgroup-size.child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--conditions=@edora/source', '--import', 'tsx', child], {
      env: { ...process.env, LP_NATIVE_VECTOR_WIDTH: String(width) }, encoding: 'utf8', timeout: 240_000,
    });
    const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
    expect(line, `child exited ${r.status}: ${r.stderr.slice(-2000)}`).toBeDefined();
    const out = JSON.parse(line!) as { features: { subgroups: boolean; subgroupMinSize: number; subgroupMaxSize: number }; results: CheckResult[] };
    expect(out.features).toMatchObject({ subgroups: true, subgroupMinSize: size, subgroupMaxSize: size });
    expectAllPass(out.results);
  });
}
