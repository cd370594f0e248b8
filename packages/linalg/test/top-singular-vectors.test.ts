import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SingularValueDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { initBackend, registeredBackends, tensor, type BackendBuffer, type Tensor } from '@edora/tensor';
import { openSafetensorsFile } from '@edora/tensor/node';
import { svdLowRank, topLeftSingularVectors, topLeftSingularVectorsBatch, type RandomizedSvdOptions } from '../src/index.js';
import type { HostMatrix } from '../src/host/matrix.js';
import { dominantEntries, fromMl, optimalRankKError, orthogonalityError, toMl } from './reference.js';

// Real pretrained weights: the tiny RoBERTa of shared/data (hidden 256, 4 layers), the EDoRA target
// modules of every layer. The reference is ml-matrix's exact SVD in float64.
const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const modelFile = path.resolve(repoRoot, '../shared/data/models/tiny-roberta-mlm/model.safetensors');
const present = existsSync(modelFile);
const TARGETS = ['attention.self.query', 'attention.self.value', 'attention.output.dense', 'output.dense'];
const R = 16;
/**
 * The EDoRA reference's settings (scikit-learn TruncatedSVD(n_iter=10, random_state=42)), which
 * @edora/layers passes as EDORA_SVD_DEFAULTS (its own test pins that constant to these values).
 */
const REFERENCE: RandomizedSvdOptions = { oversamples: 10, powerIters: 10, normalizer: 'lu', seed: 42 };

async function loadTargets(): Promise<{ name: string; w: Tensor; host: HostMatrix }[]> {
  const file = await openSafetensorsFile(modelFile);
  try {
    const out = [];
    for (let layer = 0; layer < 4; layer++) {
      for (const t of TARGETS) {
        const name = `roberta.encoder.layer.${layer}.${t}.weight`;
        const entry = file.entries.get(name);
        if (!entry) throw new Error(`${modelFile}: missing tensor ${name}`);
        const data = Float32Array.from(await file.read(name));
        const [rows, cols] = entry.shape as [number, number];
        out.push({ name, w: tensor(data, [rows, cols], { backend: 'cpu' }), host: { rows, cols, data: Float64Array.from(data) } });
      }
    }
    return out;
  } finally {
    await file.close();
  }
}

/** ‖W − B Bᵀ W‖_F in float64: the error of EDoRA's B A = B (Bᵀ W). */
function projectionError(w: HostMatrix, b: HostMatrix): number {
  const W = toMl(w);
  const B = toMl(b);
  return W.sub(B.mmul(B.transpose().mmul(W))).norm('frobenius');
}

describe.skipIf(!present)(`topLeftSingularVectors on real weights (${present ? 'tiny-roberta-mlm' : `missing ${modelFile}`})`, () => {
  it(`B = top-${R} left singular vectors of every target weight: orthonormal, B Bᵀ W within 1.01× of Eckart–Young`, async () => {
    const targets = await loadTargets();
    expect(targets).toHaveLength(16);
    const bs = await topLeftSingularVectorsBatch(targets.map((t) => t.w), R, REFERENCE);
    for (const [i, t] of targets.entries()) {
      const b = bs[i]!;
      expect(b.shape).toEqual([t.host.rows, R]);
      const bh = { rows: t.host.rows, cols: R, data: Float64Array.from(await b.data()) };
      expect(orthogonalityError(bh)).toBeLessThan(1e-5);
      const sigma = [...new SingularValueDecomposition(toMl(t.host), { autoTranspose: true, computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal].sort((x, y) => y - x);
      expect(projectionError(t.host, bh), t.name).toBeLessThanOrEqual(1.01 * optimalRankKError(sigma, R));
      // The reference's sign convention (scikit-learn 0.24 TruncatedSVD on Wᵀ): every row of A = Bᵀ W
      // has its largest-magnitude entry positive (all targets here are square or wide).
      const A = fromMl(toMl(bh).transpose().mmul(toMl(t.host)));
      for (const v of dominantEntries(A, 'rows')) expect(v, t.name).toBeGreaterThan(0);
    }
    // The batch is the same computation as one call per matrix.
    const single = await topLeftSingularVectors(targets[3]!.w, R, REFERENCE);
    expect([...(await single.data())]).toEqual([...(await bs[3]!.data())]);
  });
});

describe('topLeftSingularVectors defaults', () => {
  it("are svdLowRank's: without options B is bit for bit svdLowRank's U", async () => {
    const w = tensor(new Float32Array(40 * 24).map((_, i) => Math.sin(0.37 * i) + Math.cos(0.011 * i * i)), [40, 24], { backend: 'cpu' });
    const b = await topLeftSingularVectors(w, 5);
    const full = await svdLowRank(w, 5);
    expect([...(await b.data())]).toEqual([...(await full.U.data())]);
    // and the options reach the computation: another seed gives other bits
    const other = await topLeftSingularVectors(w, 5, { seed: 42 });
    expect([...(await other.data())]).not.toEqual([...(await b.data())]);
  });
});

describe.each(registeredBackends().map((b) => b.name))('topLeftSingularVectorsBatch on the %s backend', (name) => {
  it('equals one call per matrix bit for bit (Ω shared by the matrices with as many columns), and frees the shared Ω', async () => {
    const backend = await initBackend(name);
    const mat = (m: number, n: number, f: number) => tensor(new Float32Array(m * n).map((_, i) => Math.sin(f * i) + Math.cos(0.003 * f * i * i)), [m, n], { backend });
    const ws = [mat(30, 20, 0.37), mat(24, 20, 0.51), mat(30, 44, 0.23)];
    const opts: RandomizedSvdOptions = { oversamples: 4, powerIters: 3, normalizer: 'lu', seed: 3 };
    const singles = await Promise.all(ws.map((w) => topLeftSingularVectors(w, 5, opts)));
    const allocated = new Set<BackendBuffer>();
    const alloc = backend.alloc.bind(backend);
    const free = backend.free.bind(backend);
    backend.alloc = (n: number) => {
      const b = alloc(n);
      allocated.add(b);
      return b;
    };
    backend.free = (b: BackendBuffer) => {
      allocated.delete(b);
      free(b);
    };
    try {
      const bs = await topLeftSingularVectorsBatch(ws, 5, opts);
      await backend.sync();
      expect(allocated.size).toBe(3); // the three results, nothing else
      for (const [i, b] of bs.entries()) expect([...(await b.data())], `matrix ${i}`).toEqual([...(await singles[i]!.data())]);
      bs.forEach((b) => b.dispose());
      expect(allocated.size).toBe(0);
    } finally {
      delete (backend as { alloc?: unknown }).alloc;
      delete (backend as { free?: unknown }).free;
      [...ws, ...singles].forEach((t) => t.dispose());
    }
  });
});

describe('topLeftSingularVectorsBatch validation', () => {
  it('checks every matrix before any work and names the bad one', async () => {
    const ok = tensor(new Float32Array(64).map((_, i) => Math.sin(i)), [8, 8], { backend: 'cpu' });
    const small = tensor(new Float32Array(12), [3, 4], { backend: 'cpu' });
    await expect(topLeftSingularVectorsBatch([ok, small], 4)).rejects.toThrow(
      /topLeftSingularVectorsBatch \(matrix 1\): k must be an integer in \[1, min\(m, n\) = 3\] for a 3×4 matrix, got 4/,
    );
    await expect(topLeftSingularVectorsBatch([ok, tensor(new Float32Array(8), [8], { backend: 'cpu' })], 2)).rejects.toThrow(
      /topLeftSingularVectorsBatch \(matrix 1\): expected a 2-D tensor/,
    );
  });
});
