import { CholeskyDecomposition, EigenvalueDecomposition, QrDecomposition, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '@edora/tensor';
import { cholesky } from '../src/host/cholesky.js';
import { eigh } from '../src/host/eigh.js';
import { qr } from '../src/host/qr.js';
import { solveTriangular } from '../src/host/triangular.js';
import { matmul, matmulNT, matmulTN, type HostMatrix } from '../src/host/matrix.js';
import { NotPositiveDefiniteError, SingularMatrixError } from '../src/errors.js';
import { fromMl, gaussian, orthogonalityError, toMl, withSingularValues } from './reference.js';

const maxAbsDiff = (a: HostMatrix, b: HostMatrix) => a.data.reduce((e, v, i) => Math.max(e, Math.abs(v - b.data[i]!)), 0);
const spd = (n: number, seed: number): HostMatrix => {
  const g = gaussian(n + 3, n, seed);
  return matmulTN(g, g);
};

describe('host qr (Householder, thin)', () => {
  for (const [m, n, label] of [[30, 12, 'tall'], [12, 30, 'wide'], [15, 15, 'square'], [1, 9, '1×n'], [9, 1, 'n×1']] as const) {
    it(`${label} ${m}×${n}: Q orthonormal, R upper with diag ≥ 0, QR = A, |diag R| equals ml-matrix`, () => {
      const a = gaussian(m, n, m * 100 + n);
      const { Q, R } = qr(a);
      const k = Math.min(m, n);
      expect([Q.rows, Q.cols, R.rows, R.cols]).toEqual([m, k, k, n]);
      expect(orthogonalityError(Q)).toBeLessThan(1e-13);
      for (let i = 0; i < k; i++) {
        expect(R.data[i * n + i]).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < Math.min(i, n); j++) expect(R.data[i * n + j]).toBe(0);
      }
      expect(maxAbsDiff(matmul(Q, R), a)).toBeLessThan(1e-12);
      if (m >= n) {
        const ref = new QrDecomposition(toMl(a)).upperTriangularMatrix;
        for (let i = 0; i < k; i++) expect(R.data[i * n + i]).toBeCloseTo(Math.abs(ref.get(i, i)), 10);
      }
    });
  }

  it('rank-deficient and zero inputs still give an orthonormal Q', () => {
    const low = withSingularValues(20, 8, [2, 1], 5);
    expect(orthogonalityError(qr(low).Q)).toBeLessThan(1e-13);
    expect(maxAbsDiff(matmul(qr(low).Q, qr(low).R), low)).toBeLessThan(1e-12);
    const zero = { rows: 5, cols: 3, data: new Float64Array(15) };
    expect(orthogonalityError(qr(zero).Q)).toBeLessThan(1e-15);
  });
});

describe('host cholesky', () => {
  it('matches ml-matrix and reconstructs A = L Lᵀ', () => {
    const a = spd(12, 3);
    const L = cholesky(a);
    expect(maxAbsDiff(L, fromMl(new CholeskyDecomposition(toMl(a)).lowerTriangularMatrix))).toBeLessThan(1e-12);
    expect(maxAbsDiff(matmulNT(L, L), a)).toBeLessThan(1e-12);
  });

  it('closed form: the 2×2 [[4, 2], [2, 5]] has L = [[2, 0], [1, 2]]', () => {
    expect([...cholesky({ rows: 2, cols: 2, data: Float64Array.of(4, 2, 2, 5) }).data]).toEqual([2, 0, 1, 2]);
  });

  it('not positive definite → NotPositiveDefiniteError naming the pivot; non-square → ShapeError', () => {
    const a = { rows: 2, cols: 2, data: Float64Array.of(1, 2, 2, 1) };
    expect(() => cholesky(a)).toThrow(NotPositiveDefiniteError);
    expect(() => cholesky(a)).toThrow(/pivot 1 is -3/);
    expect(() => cholesky({ rows: 2, cols: 3, data: new Float64Array(6) })).toThrow(ShapeError);
  });
});

describe('host solveTriangular', () => {
  const L = cholesky(spd(8, 4));
  const B = gaussian(8, 3, 5);
  const U: HostMatrix = { rows: 8, cols: 8, data: fromMl(toMl(L).transpose()).data };
  const ref = (t: HostMatrix, b: HostMatrix) => fromMl(solve(toMl(t), toMl(b)));

  it('lower, upper, transposed, left and right agree with ml-matrix solve', () => {
    expect(maxAbsDiff(solveTriangular(L, B, { lower: true }), ref(L, B))).toBeLessThan(1e-10);
    expect(maxAbsDiff(solveTriangular(U, B, { lower: false }), ref(U, B))).toBeLessThan(1e-10);
    expect(maxAbsDiff(solveTriangular(L, B, { lower: true, transpose: true }), ref(U, B))).toBeLessThan(1e-10);
    // X L = C  ⇔  Lᵀ Xᵀ = Cᵀ
    const C = gaussian(3, 8, 6);
    const X = solveTriangular(L, C, { lower: true, side: 'right' });
    expect(maxAbsDiff(matmul(X, L), C)).toBeLessThan(1e-10);
    const Xt = solveTriangular(L, C, { lower: true, side: 'right', transpose: true });
    expect(maxAbsDiff(matmul(Xt, U), C)).toBeLessThan(1e-10);
  });

  it('unit diagonal ignores the stored diagonal', () => {
    const t = { rows: 2, cols: 2, data: Float64Array.of(7, 0, 3, 9) };
    const x = solveTriangular(t, { rows: 2, cols: 1, data: Float64Array.of(1, 5) }, { lower: true, unitDiagonal: true });
    expect([...x.data]).toEqual([1, 2]);
  });

  it('a zero diagonal → SingularMatrixError; mismatched B → ShapeError', () => {
    const t = { rows: 2, cols: 2, data: Float64Array.of(1, 0, 1, 0) };
    expect(() => solveTriangular(t, gaussian(2, 1, 1), { lower: true })).toThrow(SingularMatrixError);
    expect(() => solveTriangular(L, gaussian(5, 1, 1), { lower: true })).toThrow(/expected B.rows = 8/);
  });
});

describe('host eigh (tridiagonal + implicit QL)', () => {
  it('matches ml-matrix on a random symmetric matrix; V orthogonal; A V = V Λ', () => {
    const g = gaussian(40, 40, 7);
    const a = matmulTN(g, g);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) a.data[i * 40 + j]! -= 30 * (i === j ? 1 : 0); // indefinite
    const { values, vectors } = eigh(a);
    const ref = [...new EigenvalueDecomposition(toMl(a), { assumeSymmetric: true }).realEigenvalues].sort((x, y) => x - y);
    values.forEach((v, i) => expect(Math.abs(v - ref[i]!)).toBeLessThan(1e-10 * Math.abs(ref[39]!)));
    expect(orthogonalityError(vectors)).toBeLessThan(1e-13);
    const AV = matmul(a, vectors);
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) {
      expect(Math.abs(AV.data[i * 40 + j]! - vectors.data[i * 40 + j]! * values[j]!)).toBeLessThan(1e-10 * Math.abs(ref[39]!));
    }
  });

  it('closed form: tridiag(−1, 2, −1) of size n has λ_k = 2 − 2cos(kπ/(n+1))', () => {
    const n = 30;
    const a = { rows: n, cols: n, data: new Float64Array(n * n) };
    for (let i = 0; i < n; i++) {
      a.data[i * n + i] = 2;
      if (i > 0) a.data[i * n + i - 1] = a.data[(i - 1) * n + i] = -1;
    }
    const { values } = eigh(a);
    values.forEach((v, i) => expect(v).toBeCloseTo(2 - 2 * Math.cos(((i + 1) * Math.PI) / (n + 1)), 12));
  });

  it('repeated eigenvalues, the zero matrix and 1×1 keep an orthonormal basis', () => {
    const q = withSingularValues(12, 12, Array(12).fill(1), 9); // orthogonal
    const d = [5, 5, 5, 1, 1, 1, 1, -2, -2, 0, 0, 0];
    const qd = fromMl(toMl(q).clone());
    for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) qd.data[i * 12 + j]! *= d[j]!;
    const a = matmulNT(qd, q);
    const { values, vectors } = eigh(a);
    [...d].sort((x, y) => x - y).forEach((v, i) => expect(values[i]).toBeCloseTo(v, 12));
    expect(orthogonalityError(vectors)).toBeLessThan(1e-13);
    expect([...eigh({ rows: 4, cols: 4, data: new Float64Array(16) }).values]).toEqual([0, 0, 0, 0]);
    expect([...eigh({ rows: 1, cols: 1, data: Float64Array.of(-3) }).values]).toEqual([-3]);
  });
});

describe('host matmul', () => {
  it('sums each entry in order (bit for bit the plain i-k-j loop), four-row blocks and the rest alike', () => {
    for (const [m, k, n] of [[9, 5, 7], [4, 3, 2], [3, 6, 5]] as const) {
      const a = gaussian(m, k, m * k);
      const b = gaussian(k, n, k * n);
      a.data[k + 1] = 0; // a zero coefficient inside a four-row block
      const want = new Float64Array(m * n);
      for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) want[i * n + j] = want[i * n + j]! + a.data[i * k + p]! * b.data[p * n + j]!;
      expect([...matmul(a, b).data]).toEqual([...want]);
    }
  });
  it('a zero coefficient skips its row of b (an infinite entry there does not become NaN)', () => {
    const a = { rows: 5, cols: 2, data: Float64Array.from([1, 0, 2, 0, 3, 0, 4, 0, 5, 0]) };
    const b = { rows: 2, cols: 2, data: Float64Array.from([1, 2, Infinity, 3]) };
    expect([...matmul(a, b).data]).toEqual([1, 2, 2, 4, 3, 6, 4, 8, 5, 10]);
  });
});
