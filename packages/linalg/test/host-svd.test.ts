import { describe, expect, it } from 'vitest';
import { tensor } from '@edora/tensor';
import { svdLowRank } from '../src/index.js';
import { svd, flipSigns } from '../src/host/svd.js';
import { randomizedSvd } from '../src/host/randomized.js';
import { matrixOperator } from '../src/host/matrix-operator.js';
import { NonFiniteError } from '../src/errors.js';
import { CASES } from './cases.js';
import {
  dominantEntries, exactSingularValues, orthogonalityError, reconstructionError, singularValueError, transposeHost, withSingularValues,
} from './reference.js';

describe('host svd (one-sided Jacobi, Gram-preconditioned)', () => {
  for (const c of CASES) {
    it(`${c.name}: singular values, orthogonality, reconstruction`, () => {
      const { a } = c;
      const k = Math.min(a.rows, a.cols);
      const r = svd(a);
      expect([r.U.rows, r.U.cols, r.S.length, r.Vt.rows, r.Vt.cols]).toEqual([a.rows, k, k, k, a.cols]);
      const want = exactSingularValues(a);
      const smax = want[0] ?? 0;
      // Relative 1e-5 per value; values below 1e-6·σ_max (rank-deficient tails) are checked absolutely.
      expect(singularValueError(r.S, want, smax * 1e-6 || 1e-30)).toBeLessThan(1e-5);
      for (let i = 1; i < k; i++) expect(r.S[i]).toBeLessThanOrEqual(r.S[i - 1]!);
      expect(orthogonalityError(r.U)).toBeLessThan(1e-5);
      expect(orthogonalityError(transposeHost(r.Vt))).toBeLessThan(1e-5);
      const norm = Math.hypot(...a.data);
      expect(reconstructionError(a, r.U, r.S, r.Vt)).toBeLessThanOrEqual(1e-10 * Math.max(norm, 1));
    });
  }

  it('recovers prescribed singular values in closed form (κ = 1e6, no float32 rounding)', () => {
    const sigma = Array.from({ length: 20 }, (_, i) => 10 ** (-6 * i / 19));
    const r = svd(withSingularValues(35, 20, sigma, 11));
    expect(singularValueError(r.S, sigma)).toBeLessThan(1e-8);
  });

  it('zero matrix: S = 0 and still orthonormal U and V', () => {
    const r = svd({ rows: 6, cols: 4, data: new Float64Array(24) });
    expect([...r.S]).toEqual([0, 0, 0, 0]);
    expect(orthogonalityError(r.U)).toBeLessThan(1e-12);
    expect(orthogonalityError(transposeHost(r.Vt))).toBeLessThan(1e-12);
  });

  it('flipSigns: tall → U columns, square and wide → Vt rows get a positive dominant entry; product unchanged', () => {
    for (const [a, along] of [[CASES[0]!.a, 'columns'], [CASES[3]!.a, 'rows'], [CASES[5]!.a, 'rows']] as const) {
      const raw = svd(a);
      const r = flipSigns(raw);
      for (const v of dominantEntries(along === 'columns' ? r.U : r.Vt, along)) expect(v).toBeGreaterThan(0);
      expect(reconstructionError(a, r.U, r.S, r.Vt)).toBeLessThan(1e-10);
      expect(orthogonalityError(r.U)).toBeLessThan(1e-12);
    }
  });

  it('rejects NaN and Inf with the position', () => {
    const data = new Float64Array(12);
    data[7] = Number.NaN;
    expect(() => svd({ rows: 3, cols: 4, data })).toThrow(NonFiniteError);
    expect(() => svd({ rows: 3, cols: 4, data })).toThrow(/NaN at \(1, 3\) of a 3×4/);
    data[7] = Number.POSITIVE_INFINITY;
    expect(() => svd({ rows: 3, cols: 4, data })).toThrow(/Infinity at \(1, 3\)/);
  });
});

describe('host randomizedSvd over a host matrix', () => {
  it('matches svdLowRank on the same matrix as a float64 tensor (same Ω from the seed)', async () => {
    const a = withSingularValues(30, 20, Array.from({ length: 20 }, (_, i) => 0.6 ** i), 13);
    const r = await randomizedSvd(matrixOperator(a), 4, { seed: 8 });
    const t = await svdLowRank(tensor(a.data.slice(), [30, 20], { backend: 'cpu' }), 4, { seed: 8 });
    const s = await t.S.data();
    r.S.forEach((v, i) => expect(v).toBeCloseTo(s[i]!, 12));
    const u = await t.U.data();
    r.U.data.forEach((v, i) => expect(v).toBeCloseTo(u[i]!, 10));
    expect(singularValueError(r.S, Array.from({ length: 4 }, (_, i) => 0.6 ** i))).toBeLessThan(1e-10);
  });
});
