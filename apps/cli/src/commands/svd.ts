import { EDORA_SVD_DEFAULTS, Linear, matchesTarget } from '@edora/layers';
import { svd, topLeftSingularVectors } from '@edora/linalg';
import { RobertaForSequenceClassification, ROBERTA_PRESETS, robertaPreset } from '@edora/models';
import { fromPretrained } from '@edora/models/node';
import { isRobertaPreset } from '@edora/models';
import { noGrad, tidy, type Tensor } from '@edora/tensor';
import { UsageError, type CommandSpec, type Parsed } from '../args.js';
import { selectBackend } from '../backends.js';
import { BACKEND_OPTION } from '../run-options.js';
import type { Io } from '../io.js';
import { table } from '../progress.js';
import { EDORA_TARGETS } from '../setup.js';

export const SVD: CommandSpec = {
  name: 'svd',
  summary: 'Time EDoRA\'s SVD initialization of each target matrix of a model and report its accuracy: ‖W − BBᵀW‖_F / ‖W‖_F against the optimum from a full SVD.',
  options: {
    model: { type: 'string', default: 'roberta-base', placeholder: `folder|${ROBERTA_PRESETS.join('|')}`, help: 'a model folder, or a preset (random weights)' },
    rank: { type: 'int', default: 16, min: 1, help: 'rank r' },
    'max-matrices': { type: 'int', default: 0, min: 0, help: 'only the first n target matrices (0: all)' },
    exact: { type: 'boolean', default: true, help: 'also compute the optimal error with a full SVD (slower)' },
    backend: BACKEND_OPTION,
  },
};

async function frobenius(t: Tensor): Promise<number> {
  const s = noGrad(() => t.square().sum());
  const v = await s.item();
  s.dispose();
  return Math.sqrt(v);
}

export async function svdCommand(p: Parsed, io: Io): Promise<number> {
  const v = p.values;
  await selectBackend(v.backend as string);
  const name = v.model as string;
  const r = v.rank as number;
  let model: RobertaForSequenceClassification;
  if (isRobertaPreset(name)) model = new RobertaForSequenceClassification(robertaPreset(name), { seed: 0 });
  else {
    try {
      model = (await fromPretrained(name)).model;
    } catch (e) {
      throw new UsageError(`--model: ${(e as Error).message}; valid presets: ${ROBERTA_PRESETS.join(', ')}`);
    }
  }
  let targets = model.namedModules().filter(([path, m]) => path !== '' && m instanceof Linear && matchesTarget(path, [...EDORA_TARGETS]));
  if ((v.maxMatrices as number) > 0) targets = targets.slice(0, v.maxMatrices as number);
  const rows: { module: string; shape: string; ms: number; error: number; optimal: number | null }[] = [];
  for (const [path, m] of targets) {
    const W = (m as Linear).weight;
    const t0 = performance.now();
    const B = await topLeftSingularVectors(W, r, EDORA_SVD_DEFAULTS);
    const A = noGrad(() => B.matmul(W, { transA: true }));
    await A.data();
    const ms = performance.now() - t0;
    const residual = noGrad(() => tidy(() => W.sub(B.matmul(A))));
    const norm = await frobenius(W);
    const error = (await frobenius(residual)) / norm;
    residual.dispose();
    A.dispose();
    B.dispose();
    let optimal: number | null = null;
    if (v.exact) {
      const full = await svd(W);
      const s = (await full.S.data()) as Float32Array;
      let tail = 0;
      for (let i = r; i < s.length; i++) tail += s[i]! * s[i]!;
      optimal = Math.sqrt(tail) / norm;
      for (const t of [full.U, full.S, full.Vt]) t.dispose();
    }
    rows.push({ module: path, shape: `${W.shape[0]}×${W.shape[1]}`, ms, error, optimal });
    if (!v.json) io.stderr.write(`${path}: ${ms.toFixed(0)} ms\n`);
  }
  if (v.json) {
    io.stdout.write(JSON.stringify({ model: name, rank: r, rows }) + '\n');
    return 0;
  }
  io.stdout.write(table(['module', 'shape', 'init ms', 'rel. error', 'optimal', 'ratio'], rows.map((x) => [
    x.module, x.shape, x.ms.toFixed(0), x.error.toFixed(6), x.optimal === null ? '-' : x.optimal.toFixed(6), x.optimal === null ? '-' : (x.error / x.optimal).toFixed(4),
  ])));
  const total = rows.reduce((s, x) => s + x.ms, 0);
  io.stdout.write(`\n${rows.length} matrices, rank ${r}: ${(total / 1000).toFixed(2)} s of initialization in all\n`);
  return 0;
}
