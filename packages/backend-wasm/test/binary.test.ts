import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend, tensor, type BackendV1, type TensorView } from '@edora/tensor';
import { WasmBackend } from '../src/index.js';
import { runBinary } from '../src/binary.js';
import type { KernelExports } from '../src/module.js';

// The wasm add/sub/mul/div against the cpu kernel on the same views: every pairing of the
// operand patterns csrc/binary.c reads (dense, shared row, scalar, one value per row), plus a
// transposed operand that must fall back to the cpu kernel, with NaN, ±∞, ±0 and division by 0.
// The per-block patterns run as one kernel call per entry of the leading dim.

const shape = [3, 10, 7];
const values = Float32Array.from({ length: 3 * 10 * 7 + 2 }, (_, i) =>
  [NaN, Infinity, -Infinity, 0, -0][i % 23] ?? Math.fround(Math.sin(i * 1.7) * 10 ** ((i % 7) - 3)),
);
const patterns: Record<string, { strides: number[]; offset: number }> = {
  dense: { strides: [70, 7, 1], offset: 2 },
  row: { strides: [0, 0, 1], offset: 5 },
  scalar: { strides: [0, 0, 0], offset: 11 },
  perRow: { strides: [10, 1, 0], offset: 1 },
  // a shared row per entry of dim 0 ([B, 1, 1, T] against [B, H, T, T]), and one value per entry
  rowPerBlock: { strides: [7, 0, 1], offset: 3 },
  valuePerBlock: { strides: [1, 0, 0], offset: 4 },
  transposed: { strides: [1, 3, 30], offset: 0 },
};

function view(be: BackendV1, name: string): TensorView {
  const t = tensor(Float32Array.from(values), [values.length], { backend: be });
  const p = patterns[name]!;
  return { buffer: t.buffer, dtype: 'float32', shape, strides: p.strides, offset: p.offset };
}

describe('wasm binary add/sub/mul/div', () => {
  const wasm = new WasmBackend();
  const cpu = new CpuBackend();
  afterAll(() => wasm.dispose());

  it('bit-identical to the cpu kernel for every operand pattern pair', () => {
    for (const fn of ['add', 'sub', 'mul', 'div'] as const) {
      for (const pa of Object.keys(patterns)) {
        for (const pb of Object.keys(patterns)) {
          const [ow, oc] = [wasm, cpu].map((b) => tensor(new Float32Array(210).fill(42), shape, { backend: b }));
          wasm.run('binary', [view(wasm, pa), view(wasm, pb)], [ow!], { fn });
          cpu.run('binary', [view(cpu, pa), view(cpu, pb)], [oc!], { fn });
          const w = Array.from(ow!.dataSync());
          const c = Array.from(oc!.dataSync());
          expect(w.map((x) => Object.is(x, -0) ? '-0' : x), `${fn} ${pa} ${pb}`).toEqual(c.map((x) => Object.is(x, -0) ? '-0' : x));
        }
      }
    }
  });

  it('runs per-block patterns as one kernel call per block at the right addresses; a transposed operand or tiny blocks go to the cpu kernel', () => {
    // a recording stand-in for the wasm exports: which calls runBinary makes, with which pointers
    const calls: number[][] = [];
    const k = { binary_f32: (...args: number[]) => void calls.push(args) } as unknown as KernelExports;
    const at = (ptr: number, sh: number[], strides: number[], offset: number): TensorView => ({ buffer: { ptr } as unknown as TensorView['buffer'], dtype: 'float32', shape: sh, strides, offset });
    const take = (b: TensorView, sh: number[]): boolean => {
      calls.length = 0;
      const dense = sh.map((_, i) => sh.slice(i + 1).reduce((p, s) => p * s, 1));
      return runBinary(k, [at(1000, sh, dense, 0), b], at(9000, sh, dense, 0), { fn: 'sub' });
    };
    // the attention mask [2, 1, 1, 8] against scores [2, 3, 8, 8]: per batch entry 24 rows sharing one row
    expect(take(at(5000, [2, 3, 8, 8], [8, 0, 0, 1], 2), [2, 3, 8, 8])).toBe(true);
    expect(calls).toEqual([
      [1, 1000, 0, 5000 + 2 * 4, 1, 9000, 24, 8],
      [1, 1000 + 192 * 4, 0, 5000 + 10 * 4, 1, 9000 + 192 * 4, 24, 8],
    ]);
    // one value per entry of dim 0: blocks of [8, 8] reading a scalar each
    expect(take(at(5000, [2, 8, 8], [1, 0, 0], 0), [2, 8, 8])).toBe(true);
    expect(calls).toEqual([[1, 1000, 0, 5000, 2, 9000, 8, 8], [1, 1000 + 256, 0, 5004, 2, 9000 + 256, 8, 8]]);
    // the same with blocks of 4 elements: a kernel call each would cost more than the cpu kernel
    expect(take(at(5000, [16, 2, 2], [1, 0, 0], 0), [16, 2, 2])).toBe(false);
    expect(calls).toHaveLength(0);
    // an operand that fits a mode as a whole is one call, as before
    expect(take(at(5000, [2, 3, 8, 8], [0, 0, 0, 1], 0), [2, 3, 8, 8])).toBe(true);
    expect(calls).toHaveLength(1);
    // a transposed operand fits no mode in any block
    expect(take(at(5000, [4, 8, 8], [64, 1, 8], 0), [4, 8, 8])).toBe(false);
    expect(calls).toHaveLength(0);
  });
});
