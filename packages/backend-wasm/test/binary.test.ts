import { afterAll, describe, expect, it } from 'vitest';
import { CpuBackend, tensor, type BackendV1, type TensorView } from '@edora/tensor';
import { WasmBackend } from '../src/index.js';

// The wasm add/sub/mul/div against the cpu kernel on the same views: every pairing of the
// operand patterns csrc/binary.c reads (dense, shared row, scalar, one value per row), plus a
// transposed operand that must fall back to the cpu kernel, with NaN, ±∞, ±0 and division by 0.

const shape = [3, 5, 7];
const values = Float32Array.from({ length: 3 * 5 * 7 + 2 }, (_, i) =>
  [NaN, Infinity, -Infinity, 0, -0][i % 23] ?? Math.fround(Math.sin(i * 1.7) * 10 ** ((i % 7) - 3)),
);
const patterns: Record<string, { strides: number[]; offset: number }> = {
  dense: { strides: [35, 7, 1], offset: 2 },
  row: { strides: [0, 0, 1], offset: 5 },
  scalar: { strides: [0, 0, 0], offset: 11 },
  perRow: { strides: [5, 1, 0], offset: 1 },
  transposed: { strides: [1, 3, 15], offset: 0 },
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
          const [ow, oc] = [wasm, cpu].map((b) => tensor(new Float32Array(105).fill(42), shape, { backend: b }));
          wasm.run('binary', [view(wasm, pa), view(wasm, pb)], [ow!], { fn });
          cpu.run('binary', [view(cpu, pa), view(cpu, pb)], [oc!], { fn });
          const w = Array.from(ow!.dataSync());
          const c = Array.from(oc!.dataSync());
          expect(w.map((x) => Object.is(x, -0) ? '-0' : x), `${fn} ${pa} ${pb}`).toEqual(c.map((x) => Object.is(x, -0) ? '-0' : x));
        }
      }
    }
  });
});
