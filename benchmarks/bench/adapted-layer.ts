import os from 'node:os';
import { initBackend, keep, randn, registeredBackends, tidy, useBackend, type BackendV1, type Tensor } from '@edora/tensor';
import '@edora/backend-wasm/register';
import '@edora/backend-webgpu/register';
import { AdaptedLinear, Linear, initFactors, type LinearLike } from '@edora/layers';

// Forward + backward of one adapted layer (x 4096×768, W [out, 768] for out ∈ {768, 3072}, r = 16)
// for each method, against a frozen Linear whose backward forms only the input gradient. Every
// backend of this repository that initializes here (cpu, wasm — with its BLAS products where a
// system BLAS is installed —, webgpu) is measured, or those named in BENCH_BACKENDS=wasm,webgpu.
// Run: pnpm --filter @edora/benchmarks bench:layer (also part of pnpm bench).
const N = 4096;
const IN = 768;
const R = 16;
const reps = Number(process.env.EDORA_BENCH_REPS ?? 3);

type Case = { label: string; make: (base: Linear) => Promise<LinearLike> };

const adapter = (method: 'lora' | 'dora' | 'edora', normPath: 'fast' | 'naive' = 'fast') => async (base: Linear): Promise<LinearLike> => {
  const { factors } = await initFactors(base.weight, { method, r: R, init: method === 'edora' ? 'random' : 'kaiming', sigma: 1e-5, seed: 3, offset: 0 });
  // B ≠ 0 so LoRA/DoRA do real work in every term (B = 0 at init would not change the cost, but be honest)
  return new AdaptedLinear(base, factors, { method, r: R, alpha: 16, normPath });
};

const cases: Case[] = [
  { label: 'frozen Linear (input grad only)', make: async (base) => base },
  { label: 'LoRA', make: adapter('lora') },
  { label: 'DoRA', make: adapter('dora') },
  { label: 'EDoRA fast norm', make: adapter('edora', 'fast') },
  { label: 'EDoRA naive norm', make: adapter('edora', 'naive') },
];

async function timeStep(layer: LinearLike, x: Tensor, dy: Tensor): Promise<number> {
  const t0 = performance.now();
  tidy(() => {
    const y = layer.forward(x);
    y.backward(dy);
  });
  await x.grad!.data();
  const ms = performance.now() - t0;
  x.grad!.dispose();
  x.grad = null;
  for (const p of layer.parameters()) {
    p.grad?.dispose();
    p.grad = null;
  }
  return ms;
}

// the fastest run: on a shared machine other people's work only ever adds time
function best(v: number[]): number {
  return Math.min(...v);
}

async function benchBackend(backend: BackendV1): Promise<void> {
  useBackend(backend);
  console.log(`\n## backend ${backend.name} — ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`best of ${reps} rounds after one warm-up round; ms per forward+backward\n`);
  console.log('| layer | W 768×768 | vs frozen | W 3072×768 | vs frozen |');
  console.log('|---|---:|---:|---:|---:|');
  const results = new Map<string, number[]>();
  for (const out of [768, 3072]) {
    const x = keep(randn([N, IN], { seed: 1 }).requiresGrad_());
    const dy = keep(randn([N, out], { seed: 2 }));
    const layers: LinearLike[] = [];
    for (const c of cases) layers.push(await c.make(new Linear(IN, out, { seed: 4 }).requiresGrad_(false)));
    // rounds visit every case in turn, so load from other work on a shared machine hits all alike
    const times = layers.map(() => [] as number[]);
    for (let round = 0; round <= reps; round++) {
      for (let i = 0; i < layers.length; i++) {
        const ms = await timeStep(layers[i]!, x, dy);
        if (round > 0) times[i]!.push(ms);
      }
    }
    cases.forEach((c, i) => results.set(c.label, [...(results.get(c.label) ?? []), best(times[i]!)]));
    for (const l of layers) for (const p of l.parameters()) p.dispose();
    x.dispose();
    dy.dispose();
  }
  const frozen = results.get(cases[0]!.label)!;
  for (const [label, ms] of results) {
    console.log(`| ${label} | ${ms[0]!.toFixed(0)} | ${(ms[0]! / frozen[0]!).toFixed(3)}× | ${ms[1]!.toFixed(0)} | ${(ms[1]! / frozen[1]!).toFixed(3)}× |`);
  }
}

console.log('# @edora/layers bench: one adapted layer, x 4096×768, r = 16');
const only = process.env.BENCH_BACKENDS?.split(',').filter(Boolean);
for (const { name } of registeredBackends()) {
  if (only && !only.includes(name)) continue;
  let backend: BackendV1;
  try {
    backend = await initBackend(name);
  } catch (e) {
    console.log(`\n## backend ${name}: skipped, it did not initialize (${(e as Error).message})`);
    continue;
  }
  await benchBackend(backend);
}
