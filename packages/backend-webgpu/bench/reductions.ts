import { randn, tensor, type OpAttrs, type OpName, type Tensor } from '@edora/tensor';
import { createNodeWebGpuBackend, type WebGpuBackend } from '../src/node.js';
import { secondsPerEnqueuedRun, table } from '@edora/bench-kit';

// Kernels that reduce across a workgroup, at RoBERTa-base training shapes for BENCH_TOKENS tokens
// (default 4096 = 32 × 128): attention softmax ± backward, layerNorm ± backward, the DoRA row
// norms of a 768×768 and a 3072×768 weight, a whole-tensor sum (loss, gradient norm), a bias
// gradient (column sums), each with the subgroup reductions and with the workgroup-memory trees
// (`features: { subgroups: false }`). Last, the out-of-range-id check: an embedding lookup then a
// 4-byte read, whose staging copy also carries the fault record.

interface Case {
  name: string;
  op: OpName;
  inputs: number[][];
  outputs: number[][];
  attrs: OpAttrs[OpName];
  /** int32 inputs by position (ids), filled with valid ids below `int32Max`. */
  int32?: number;
  int32Max?: number;
}

function cases(T: number): Case[] {
  const rows = T * 12; // T/128 sequences × 12 heads × 128 query rows
  return [
    { name: `softmax [${rows}, 128]`, op: 'softmax', inputs: [[rows, 128]], outputs: [[rows, 128]], attrs: {} },
    { name: `softmaxBackward [${rows}, 128]`, op: 'softmaxBackward', inputs: [[rows, 128], [rows, 128]], outputs: [[rows, 128]], attrs: {} },
    { name: `layerNorm [${T}, 768]`, op: 'layerNorm', inputs: [[T, 768], [768], [768]], outputs: [[T, 768], [T], [T]], attrs: { eps: 1e-5 } },
    {
      name: `layerNormBackward [${T}, 768]`, op: 'layerNormBackward', inputs: [[T, 768], [768], [T], [T], [T, 768]],
      outputs: [[T, 768], [768], [768]], attrs: {},
    },
    { name: 'rowNorm [768, 768]', op: 'rowNorm', inputs: [[768, 768]], outputs: [[768]], attrs: {} },
    { name: 'rowNorm [3072, 768]', op: 'rowNorm', inputs: [[3072, 768]], outputs: [[3072]], attrs: {} },
    { name: `reduce sum [1, ${T * 768}] axis 1`, op: 'reduce', inputs: [[1, T * 768]], outputs: [[1, 1]], attrs: { fn: 'sum', axis: 1 } },
    { name: `reduce sum [${T}, 768] axis 0`, op: 'reduce', inputs: [[T, 768]], outputs: [[1, 768]], attrs: { fn: 'sum', axis: 0 } },
    { name: `reduce max [${T}, 768] axis 1`, op: 'reduce', inputs: [[T, 768]], outputs: [[T, 1]], attrs: { fn: 'max', axis: 1 } },
  ];
}

/** Milliseconds per op: `reps` ops enqueued back to back and one wait, after a compiling warm-up. */
async function msPerOp(b: WebGpuBackend, c: Case, minSeconds: number): Promise<number> {
  const ins: Tensor[] = c.inputs.map((s, i) => (i === c.int32
    ? tensor(Int32Array.from({ length: s.reduce((p, q) => p * q, 1) }, (_, k) => (k * 7919) % c.int32Max!), s, { backend: b })
    : randn(s, { backend: b, seed: i + 1 })));
  const outs = c.outputs.map((s) => tensor(new Float32Array(s.reduce((p, q) => p * q, 1)), s, { backend: b }));
  const seconds = await secondsPerEnqueuedRun(() => b.run(c.op, ins, outs, c.attrs as never), () => b.sync(), minSeconds);
  for (const t of [...ins, ...outs]) t.dispose();
  return seconds * 1000;
}

/** Median milliseconds of `embedding lookup of T ids + read of 4 bytes` (the read carries the fault check). */
async function lookupAndRead(b: WebGpuBackend, T: number, reps: number): Promise<number> {
  const tableT = randn([50265, 64], { backend: b, seed: 3 });
  const ids = tensor(Int32Array.from({ length: T }, (_, k) => (k * 7919) % 50265), [T], { backend: b });
  const out = tensor(new Float32Array(T * 64), [T, 64], { backend: b });
  const times: number[] = [];
  for (let i = 0; i < reps + 1; i++) {
    const t0 = performance.now();
    b.run('gatherRows', [tableT, ids], [out], {});
    await b.read(out.buffer, 0, 4);
    if (i > 0) times.push(performance.now() - t0);
  }
  for (const t of [tableT, ids, out]) t.dispose();
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

export async function benchReductions(dawn: string[]): Promise<void> {
  const T = Number(process.env.BENCH_TOKENS ?? 4096);
  const minSeconds = Number(process.env.BENCH_MIN_SECONDS ?? 0.5);
  const on = await createNodeWebGpuBackend({ dawnOptions: dawn, features: { subgroups: true } });
  const off = await createNodeWebGpuBackend({ dawnOptions: dawn, features: { subgroups: false } });
  const sizes = on.features.subgroups ? `subgroup size ${on.features.subgroupMinSize}–${on.features.subgroupMaxSize}` : 'no subgroups feature';
  console.log(`\n## @edora/backend-webgpu — workgroup reductions, subgroups on/off (${T} tokens)\n`);
  console.log(`device: ${on.capabilities.device}; ${sizes}`);
  const rows: string[][] = [];
  for (const c of cases(T)) {
    const a = on.features.subgroups ? await msPerOp(on, c, minSeconds) : Number.NaN;
    const t = await msPerOp(off, c, minSeconds);
    const row = [c.name, Number.isNaN(a) ? '—' : a.toFixed(3), t.toFixed(3), Number.isNaN(a) ? '—' : `${(t / a).toFixed(2)}×`];
    rows.push(row);
    console.error(`  ${row.join(' | ')}`);
  }
  console.log(`\n${table(['kernel', 'subgroups ms', 'tree ms', 'tree/subgroups'], rows)}`);
  const lookup = await lookupAndRead(off, T, 30);
  console.log(`\nembedding lookup of ${T} ids + 4-byte read (median of 30, fault record checked in the same copy): ${lookup.toFixed(3)} ms`);
  on.dispose();
  off.dispose();
}
