/**
 * The roberta-base EDoRA step at batch 32 × 128 on the GPU backends (bench/gpu-run.sh of
 * @edora/backend-cuda runs this there, beside the same step in PyTorch): per backend, the EDoRA
 * init of the 48 targets (SVDs), seconds per step, tokens/s, peak and live device memory over the
 * timed steps. Random weights and token ids.
 *
 *   node --conditions=@edora/source --import tsx bench/gpu-step.ts cuda webgpu
 * Environment: STEPS (timed steps, default 20), PRESET (default roberta-base), BATCH (32), SEQ (128).
 */
import { registerBackend, setBackend } from '@edora/tensor';
import { benchEdoraStep } from './edora-step.js';

const makers: Record<string, () => Promise<unknown>> = {
  cuda: async () => {
    const { createCudaBackend } = await import('@edora/backend-cuda');
    registerBackend('cuda', () => createCudaBackend(), { priority: 30 });
  },
  webgpu: async () => {
    const { createNodeWebGpuBackend } = await import('@edora/backend-webgpu/node');
    registerBackend('webgpu', () => createNodeWebGpuBackend({ dawnOptions: (process.env.BENCH_DAWN ?? 'backend=vulkan').split(',').filter(Boolean) }), { priority: 20 });
  },
};

const names = process.argv.slice(2).filter((a) => a !== '--');
const preset = process.env.PRESET ?? 'roberta-base';
const batch = Number(process.env.BATCH ?? 32);
const seq = Number(process.env.SEQ ?? 128);
const steps = Number(process.env.STEPS ?? 20);
const rows: Record<string, string | number>[] = [];
for (const name of names.length ? names : ['cuda']) {
  const make = makers[name];
  if (!make) throw new Error(`unknown GPU backend "${name}"; valid: ${Object.keys(makers).join(', ')}`);
  try {
    await make();
    await setBackend(name);
    rows.push(await benchEdoraStep(preset, batch, seq, steps));
    console.log(JSON.stringify(rows.at(-1)));
  } catch (e) {
    console.log(`${name}: failed: ${(e as Error).stack ?? e}`);
  }
}
const cols = Object.keys(rows[0] ?? {});
console.log(`\n| ${cols.join(' | ')} |\n|${cols.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${cols.map((c) => r[c]).join(' | ')} |`);
