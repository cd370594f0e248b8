import { beforeAll, describe, expect, it } from 'vitest';
import { ArgumentError, DTypeError, ShapeError, initBackend, type BackendBuffer, type BackendV1, registeredBackends, tensor, zeros, type Tensor } from '@edora/tensor';
import { NonFiniteError, svdLowRank, type Normalizer } from '../src/index.js';
import type { HostMatrix } from '../src/host/matrix.js';
import { CASES } from './cases.js';
import {
  dominantEntries, exactSingularValues, exactTopLeft, optimalRankKError, orthogonalityError, principalCosines, reconstructionError,
  singularValueError, transposeHost, withSingularValues,
} from './reference.js';

// Every test runs on every backend registered in this process: the cpu backend always, others
// when their package has registered itself.
const BACKENDS = registeredBackends().map((b) => b.name);

async function host(t: Tensor): Promise<HostMatrix> {
  const d = await t.data();
  return { rows: t.shape[0]!, cols: t.shape[1] ?? 1, data: Float64Array.from(d) };
}

describe.each(BACKENDS)('svdLowRank on the %s backend', (backendName) => {
  let backend: BackendV1;
  beforeAll(async () => {
    backend = await initBackend(backendName);
  });
  const onBackend = (a: HostMatrix) => tensor(Float32Array.from(a.data), [a.rows, a.cols], { backend });

  for (const [c, method] of CASES.flatMap((c) => [[c, 'subspace'], [c, 'krylov']] as const)) {
    const k = Math.min(3, c.a.rows, c.a.cols);
    it(`${method}, ${c.name}, k = ${k}: orthonormal factors, near-optimal rank-k error, accurate values`, async () => {
      const { U, S, Vt } = await svdLowRank(onBackend(c.a), k, { seed: 1, method });
      expect(U.backend).toBe(backend);
      expect([U.shape, S.shape, Vt.shape]).toEqual([[c.a.rows, k], [k], [k, c.a.cols]]);
      const u = await host(U);
      const vt = await host(Vt);
      const s = Float64Array.from(await S.data());
      expect(orthogonalityError(u)).toBeLessThan(1e-5);
      expect(orthogonalityError(transposeHost(vt))).toBeLessThan(1e-5);
      const sigma = exactSingularValues(c.a);
      const norm = Math.hypot(...c.a.data);
      const optimal = optimalRankKError(sigma, k);
      // float32 factors add ~1e-7·‖A‖ of rounding on top of the optimal error.
      expect(reconstructionError(c.a, u, s, vt)).toBeLessThanOrEqual(1.01 * optimal + 1e-6 * norm);
      const floor = (sigma[0] ?? 0) * 1e-6 || 1e-30;
      if (!c.flat) {
        expect(singularValueError(s, sigma.slice(0, k), floor)).toBeLessThan(1e-5);
      } else {
        // Flat spectrum: the default 7 iterations give ~1e-3; 30 iterations reach float32 accuracy.
        expect(singularValueError(s, sigma.slice(0, k), floor)).toBeLessThan(2e-3);
        const more = await svdLowRank(onBackend(c.a), k, { seed: 1, powerIters: 30, method: 'subspace' });
        expect(singularValueError(await more.S.data(), sigma.slice(0, k), floor)).toBeLessThan(1e-5);
      }
    });
  }

  for (const method of ['subspace', 'krylov'] as const) {
    it(`${method}: principal-angle cosines with the exact top-r subspace ≥ 0.999 on a spectrum with a gap`, async () => {
      const sigma = [...Array.from({ length: 8 }, (_, i) => 10 - i), ...Array.from({ length: 52 }, (_, i) => 0.5 * 0.97 ** i)];
      const a = withSingularValues(120, 60, sigma, 21);
      const { U } = await svdLowRank(onBackend(a), 8, { seed: 3, method, powerIters: 2 });
      const cos = principalCosines(await host(U), exactTopLeft(a, 8));
      expect(Math.min(...cos)).toBeGreaterThanOrEqual(0.999);
    });
  }

  it('krylov beats subspace iteration at equal steps on a slowly decaying spectrum', async () => {
    const sigma = Array.from({ length: 80 }, (_, i) => 1 / (1 + 0.02 * i));
    const a = withSingularValues(160, 80, sigma, 23);
    const err = async (method: 'subspace' | 'krylov') => {
      const { U, S, Vt } = await svdLowRank(onBackend(a), 8, { seed: 6, method, powerIters: 2, oversamples: 4 });
      return reconstructionError(a, await host(U), await S.data(), await host(Vt)) / optimalRankKError(sigma, 8) - 1;
    };
    expect(await err('krylov')).toBeLessThan(0.5 * (await err('subspace')));
  });

  for (const normalizer of ['qr', 'lu', 'cholqr2'] as Normalizer[]) {
    it(`normalizer '${normalizer}': decaying spectrum within 1.01× of Eckart–Young`, async () => {
      const sigma = Array.from({ length: 48 }, (_, i) => 0.8 ** i);
      const a = withSingularValues(64, 48, sigma, 31);
      const { U, S, Vt } = await svdLowRank(onBackend(a), 6, { normalizer, powerIters: 3, seed: 5 });
      const err = reconstructionError(a, await host(U), Float64Array.from(await S.data()), await host(Vt));
      expect(err).toBeLessThanOrEqual(1.01 * optimalRankKError(sigma, 6));
    });
  }

  for (const normalizer of ['qr', 'lu', 'cholqr2'] as Normalizer[]) {
    it(`normalizer '${normalizer}' on the hard cases (rank-deficient, zero, repeated, κ = 1e6): orthonormal, near-optimal`, async () => {
      for (const c of CASES.filter((x) => x.rank !== undefined || x.name.startsWith('ill') || x.name.startsWith('repeated'))) {
        const k = Math.min(6, c.a.rows, c.a.cols);
        const { U, S, Vt } = await svdLowRank(onBackend(c.a), k, { normalizer, seed: 4 });
        const u = await host(U);
        const vt = await host(Vt);
        expect(orthogonalityError(u), c.name).toBeLessThan(1e-5);
        expect(orthogonalityError(transposeHost(vt)), c.name).toBeLessThan(1e-5);
        const sigma = exactSingularValues(c.a);
        const err = reconstructionError(c.a, u, await S.data(), vt);
        expect(err, c.name).toBeLessThanOrEqual(1.01 * optimalRankKError(sigma, k) + 1e-6 * Math.hypot(...c.a.data));
      }
    });
  }

  it('sign convention: tall A → dominant entry of each U column positive; square or wide → of each Vt row', async () => {
    const tall = await svdLowRank(onBackend(CASES[1]!.a), 5, { seed: 2 });
    for (const v of dominantEntries(await host(tall.U), 'columns')) expect(v).toBeGreaterThan(0);
    const wide = await svdLowRank(onBackend(CASES[5]!.a), 5, { seed: 2 });
    for (const v of dominantEntries(await host(wide.Vt), 'rows')) expect(v).toBeGreaterThan(0);
  });

  it('is deterministic for a seed; another seed finds the same subspace', async () => {
    const a = onBackend(CASES[1]!.a);
    const r1 = await host((await svdLowRank(a, 4, { seed: 9 })).U);
    const r2 = await host((await svdLowRank(a, 4, { seed: 9 })).U);
    const r3 = await host((await svdLowRank(a, 4, { seed: 10 })).U);
    expect([...r2.data]).toEqual([...r1.data]);
    expect([...r3.data]).not.toEqual([...r1.data]);
    expect(Math.min(...principalCosines(r1, r3))).toBeGreaterThan(0.99999);
  });

  it('frees every intermediate: of the buffers a call allocates, only its three results stay live', async () => {
    // Counted per call through the backend's own alloc/free, not by live totals: tensors that
    // earlier tests left to the FinalizationRegistry may be freed at any await in between.
    const a = onBackend(CASES[1]!.a);
    for (const normalizer of ['qr', 'lu', 'cholqr2'] as Normalizer[]) {
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
        const { U, S, Vt } = await svdLowRank(a, 4, { normalizer, seed: 1 });
        await backend.sync();
        expect(allocated.size, normalizer).toBe(3);
        U.dispose();
        S.dispose();
        Vt.dispose();
        expect(allocated.size, normalizer).toBe(0);
      } finally {
        // the spies are own properties shadowing the class methods
        delete (backend as { alloc?: unknown }).alloc;
        delete (backend as { free?: unknown }).free;
      }
    }
  });

  it('typed errors: NaN, Inf, k out of range, non-2-D, int32, bad options', async () => {
    const data = new Float32Array(12);
    data[5] = Number.NaN;
    await expect(svdLowRank(tensor(data, [3, 4], { backend }), 2)).rejects.toThrow(NonFiniteError);
    await expect(svdLowRank(tensor(data, [3, 4], { backend }), 2)).rejects.toThrow(/NaN at \(1, 1\) of the 3×4 input/);
    data[5] = Number.NEGATIVE_INFINITY;
    await expect(svdLowRank(tensor(data, [3, 4], { backend }), 2)).rejects.toThrow(NonFiniteError);
    const a = zeros([3, 4], { backend });
    await expect(svdLowRank(a, 4)).rejects.toThrow(ArgumentError);
    await expect(svdLowRank(a, 4)).rejects.toThrow(/k must be an integer in \[1, min\(m, n\) = 3\] for a 3×4 matrix, got 4/);
    await expect(svdLowRank(a, 0)).rejects.toThrow(ArgumentError);
    await expect(svdLowRank(zeros([2, 3, 4], { backend }), 1)).rejects.toThrow(ShapeError);
    await expect(svdLowRank(zeros([5], { backend }), 1)).rejects.toThrow(/expected a 2-D tensor/);
    await expect(svdLowRank(tensor(new Int32Array(12), [3, 4], { backend }), 1)).rejects.toThrow(DTypeError);
    await expect(svdLowRank(a, 1, { normalizer: 'svd' as Normalizer })).rejects.toThrow(/one of qr, lu, cholqr2/);
    await expect(svdLowRank(a, 1, { powerIters: -1 })).rejects.toThrow(ArgumentError);
    await expect(svdLowRank(a, 1, { method: 'lanczos' as 'krylov' })).rejects.toThrow(/method must be one of subspace, krylov/);
  });
});

describe('svdLowRank on float64 tensors (cpu)', () => {
  it('keeps float64 and reaches float64-level accuracy on a gapped spectrum', async () => {
    const sigma = [8, 4, 2, ...Array.from({ length: 27 }, () => 1e-3)];
    const a = withSingularValues(40, 30, sigma, 41);
    const { U, S } = await svdLowRank(tensor(a.data.slice(), [40, 30], { backend: 'cpu' }), 3, { seed: 1 });
    expect(U.dtype).toBe('float64');
    const s = await S.data();
    expect(singularValueError(s, [8, 4, 2])).toBeLessThan(1e-9);
  });
});
