import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  adamwStep, backendStats, CpuBackend, keep, manualSeed, tensor, tidy, useBackend, zerosLike, type BackendV1, type OpName, type Tensor,
} from '@edora/tensor';
import { applyAdapters } from '@edora/layers';
import { RobertaForSequenceClassification, robertaPreset } from '@edora/models';
import { createWasmBackend, loadBlas } from '@edora/backend-wasm/node';
import { median, sampleWallAndCpu } from '@edora/bench-kit';

// Issue 9's second target: one EDoRA training step of the `tiny` RoBERTa preset (r = 16 on query,
// value, attention.output.dense, output.dense; head trained; batch 32 × 128 random token ids; train
// mode) — forward + backward + AdamW — on the wasm backend, within 4× of the same step written in
// PyTorch (bench/tiny_step_torch.py, run in the same session with the preset's config values).
// Run: pnpm --filter @edora/benchmarks bench:step [-- <preset> <batch>] (also part of pnpm bench)
// Environment: BENCH_SKIP_CPU=1 leaves out the cpu backend; BENCH_PROFILE=1 adds op-time tables.
// Every run also counts, for one step on wasm, the ops the core hands the backend (backend.run
// calls, by op) and the autograd nodes of the loss's graph (by name): counts, unlike times, do not
// depend on the machine's load. BENCH_COUNTS_ONLY=1 prints only those counts.

const PYTHON = '/usr/bin/python3';
// `bench:step -- roberta-base 8` runs the same comparison for another preset and batch (issue 16's rows)
const argv = process.argv.slice(2).filter((a) => a !== '--'); // pnpm passes its `--` through
const PRESET = argv[0] ?? 'tiny';
const BATCH = Number(argv[1] ?? 32);
const SEQ = 128;
const R = 16;
const ALPHA = 16;
const STEPS = Number(process.env.BENCH_STEPS ?? (PRESET === 'tiny' ? 7 : 3));
const TARGETS = ['query', 'value', 'attention.output.dense', 'output.dense'];

interface Timing {
  /** median wall milliseconds per step */
  ms: number;
  /** median CPU milliseconds per step of the whole process (every thread) */
  cpuMs: number;
}

const config = robertaPreset(PRESET, { numLabels: 2 });

/** Milliseconds spent in each op name (plus the matmul shapes' share): what to move into wasm next. */
function profiled(backend: BackendV1, totals: Map<string, number>): BackendV1 {
  const run = backend.run.bind(backend);
  return new Proxy(backend, {
    get(target, key) {
      if (key !== 'run') return Reflect.get(target, key) as unknown;
      return (op: OpName, ...rest: [never, never, never]) => {
        const t0 = performance.now();
        run(op, ...rest);
        const attrs = rest[2] as { op?: string; fn?: string; kind?: string } | undefined;
        const name = `${op}${attrs?.op ? `:${attrs.op}` : attrs?.fn ? `:${attrs.fn}` : ''}`;
        totals.set(name, (totals.get(name) ?? 0) + performance.now() - t0);
      };
    },
  });
}

/** Counts backend.run calls per op name into `counts`. */
function counted(backend: BackendV1, counts: Map<string, number>): BackendV1 {
  const run = backend.run.bind(backend);
  return new Proxy(backend, {
    get(target, key) {
      if (key !== 'run') return Reflect.get(target, key) as unknown;
      return (op: OpName, ...rest: [never, never, never]) => {
        run(op, ...rest);
        counts.set(op, (counts.get(op) ?? 0) + 1);
      };
    },
  });
}

/** The autograd nodes of the graph feeding `root`, counted by name. */
function graphNodes(root: Tensor): Map<string, number> {
  const byName = new Map<string, number>();
  const seen = new Set<NonNullable<Tensor['node']>>();
  const stack = root.node ? [root.node] : [];
  for (const n of stack) seen.add(n);
  while (stack.length) {
    const node = stack.pop()!;
    byName.set(node.name, (byName.get(node.name) ?? 0) + 1);
    for (const e of node.next) {
      if (e?.node && !seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
  }
  return byName;
}

interface Trainer {
  /** One forward + backward + AdamW step; `onGraph` sees the loss before backward. */
  step: (onGraph?: (loss: Tensor) => void) => void;
  dispose: () => void;
}

async function trainer(backend: BackendV1): Promise<Trainer> {
  useBackend(backend);
  manualSeed(0);
  const model = new RobertaForSequenceClassification(config, { seed: 0 });
  await applyAdapters(model, { method: 'edora', r: R, alpha: ALPHA, targetModules: TARGETS, modulesToSave: ['classifier'], seed: 0 });
  model.train();
  const params = model.parameters().filter((p) => p.requiresGrad);
  const state = params.map((p) => ({ m: keep(zerosLike(p)), v: keep(zerosLike(p)), step: 0 }));
  const ids = new Int32Array(BATCH * SEQ);
  let seed = 12345;
  for (let i = 0; i < ids.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    ids[i] = i % SEQ === 0 ? 0 : 4 + (seed % (config.vocabSize - 5));
  }
  const inputIds = keep(tensor(ids, [BATCH, SEQ]));
  const labels = keep(tensor(Int32Array.from({ length: BATCH }, (_, i) => i % 2), [BATCH]));
  const step = (onGraph?: (loss: Tensor) => void): void => {
    const loss = tidy(() => model.loss(model.forward({ inputIds }), labels));
    onGraph?.(loss);
    loss.backward();
    loss.dataSync();
    loss.dispose();
    params.forEach((p, i) => {
      const s = state[i]!;
      s.step += 1;
      adamwStep(p, p.grad!, s.m, s.v, { lr: 1e-4, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: s.step });
      p.grad!.dispose();
      p.grad = null;
    });
  };
  const dispose = (): void => {
    for (const s of state) {
      s.m.dispose();
      s.v.dispose();
    }
    inputIds.dispose();
    labels.dispose();
  };
  return { step, dispose };
}

async function stepTiming(backend: BackendV1, profile?: Map<string, number>): Promise<Timing> {
  const { step, dispose } = await trainer(profile ? profiled(backend, profile) : backend);
  step();
  step();
  profile?.clear();
  const steps = backend.name === 'cpu' ? 3 : STEPS;
  const { wall, cpu } = sampleWallAndCpu(() => step(), steps);
  if (profile) for (const [k, v] of profile) profile.set(k, v / steps);
  dispose();
  return { ms: median(wall), cpuMs: median(cpu) };
}

interface StepCounts {
  ops: Map<string, number>;
  nodes: Map<string, number>;
  /** host and composite fallback runs during the step, by op */
  fallbacks: Map<string, number>;
}

/** The ops, autograd nodes and fallbacks of one training step (after a warm-up step). */
async function stepCounts(backend: BackendV1): Promise<StepCounts> {
  const ops = new Map<string, number>();
  const proxy = counted(backend, ops);
  const { step, dispose } = await trainer(proxy);
  step();
  ops.clear();
  // the core counts fallbacks per backend object, which is the proxy here
  const before = fallbackTotals(proxy);
  let nodes = new Map<string, number>();
  step((loss) => (nodes = graphNodes(loss)));
  const fallbacks = new Map<string, number>();
  for (const [k, v] of fallbackTotals(proxy)) if (v - (before.get(k) ?? 0) > 0) fallbacks.set(k, v - (before.get(k) ?? 0));
  dispose();
  return { ops, nodes, fallbacks };
}

function fallbackTotals(backend: BackendV1): Map<string, number> {
  const totals = new Map<string, number>();
  const { fallbacks } = backendStats(backend);
  for (const [kind, byOp] of Object.entries(fallbacks)) {
    for (const [op, n] of Object.entries(byOp as Record<string, number>)) totals.set(`${kind}:${op}`, n);
  }
  return totals;
}

function torchTiming(threads: number): Timing | undefined {
  if (!(existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0)) {
    console.log(`PyTorch side skipped: ${PYTHON} cannot import torch (Debian: sudo apt-get install python3-torch)`);
    return undefined;
  }
  const c = config;
  const args = {
    threads, batch: BATCH, seq: SEQ, vocab: c.vocabSize, hidden: c.hiddenSize, layers: c.numHiddenLayers,
    heads: c.numAttentionHeads, ffn: c.intermediateSize, eps: c.layerNormEps, dropout: c.hiddenDropoutProb,
    r: R, alpha: ALPHA, labels: c.numLabels, steps: STEPS,
  };
  if (c.attentionProbsDropoutProb !== c.hiddenDropoutProb || (c.classifierDropout ?? c.hiddenDropoutProb) !== c.hiddenDropoutProb) {
    throw new Error('tiny-step bench: the PyTorch twin assumes one dropout probability everywhere');
  }
  const out = execFileSync(PYTHON, [fileURLToPath(new URL('./tiny_step_torch.py', import.meta.url)), JSON.stringify(args)], {
    // without these, OpenMP/OpenBLAS threads spin against each other on a 2-core machine
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OPENBLAS_THREAD_TIMEOUT: '4' },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim()) as Timing;
}

const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');
const cores = os.availableParallelism();
const threads = Math.min(2, cores);
console.log(`# ${PRESET}-preset EDoRA step — ${os.cpus()[0]?.model ?? 'cpu'} × ${cores}, Node ${process.version}, load ${load()}`);
console.log(`RoBERTa ${PRESET} (hidden ${config.hiddenSize}, ${config.numHiddenLayers} layers, ${config.numAttentionHeads} heads, FFN ${config.intermediateSize}), EDoRA r=${R}, batch ${BATCH}×${SEQ}`);

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
const listed = (m: Map<string, number>): string => [...m].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
function printCounts(c: StepCounts): void {
  console.log(`\nper step on wasm: ${sum(c.ops)} ops (backend.run calls), ${sum(c.nodes)} autograd nodes`);
  console.log(`  ops: ${listed(c.ops)}`);
  console.log(`  nodes: ${listed(c.nodes)}`);
  console.log(`  fallbacks: ${c.fallbacks.size ? listed(c.fallbacks) : 'none'}`);
}
if (process.env.BENCH_COUNTS_ONLY === '1') {
  const w = createWasmBackend({ threads, blas: 'off' });
  printCounts(await stepCounts(w));
  w.dispose();
  process.exit(0);
}

const rows: [string, Timing][] = [];
const wasm = createWasmBackend({ threads, blas: 'off' });
const profile = process.env.BENCH_PROFILE === '1' ? new Map<string, number>() : undefined;
// the Node default when a system BLAS is installed: the same backend, products on the BLAS
const blas = loadBlas({ threads });
const wasmBlas = blas.ok ? createWasmBackend({ threads }) : undefined;
if (wasmBlas) rows.push([`wasm+BLAS ${threads}T`, await stepTiming(wasmBlas, profile)]);
else console.log(`wasm+BLAS row skipped: ${blas.ok ? '' : blas.reason}`);
rows.push([`wasm ${threads}T`, await stepTiming(wasm, wasmBlas ? undefined : profile)]);
const counts = await stepCounts(wasm);
const torch = torchTiming(threads);
if (torch) rows.push([`torch ${threads}T`, torch]);
if (process.env.BENCH_SKIP_CPU !== '1') rows.push(['cpu (TS)', await stepTiming(new CpuBackend())]);
wasm.dispose();
wasmBlas?.dispose();

const vs = (a: number, b: number | undefined): string => (b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
console.log('\n| backend | wall ms | vs torch | CPU ms | vs torch |\n|---|---:|---:|---:|---:|');
for (const [name, t] of rows) {
  console.log(`| ${name} | ${t.ms.toFixed(1)} | ${vs(t.ms, torch?.ms)} | ${t.cpuMs.toFixed(1)} | ${vs(t.cpuMs, torch?.cpuMs)} |`);
}
if (profile) {
  const total = [...profile.values()].reduce((a, b) => a + b, 0);
  console.log(`\nwasm op time per step (ms, ${total.toFixed(1)} in backend.run):`);
  for (const [k, v] of [...profile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`  ${k.padEnd(28)} ${v.toFixed(2)}`);
}
printCounts(counts);
console.log(`load after: ${load()}`);
