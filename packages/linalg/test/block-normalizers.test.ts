import { describe, expect, it } from 'vitest';
import { transpose, type HostMatrix } from '../src/host/matrix.js';
import { BlockNormalizer, luNormalize, luNormalizeRows, normalize, normalizeRows, orthonormalRows } from '../src/host/normalize.js';
import { qr, qrQRows } from '../src/host/qr.js';
import { gaussian, orthogonalityError, withSingularValues } from './reference.js';

// The normalizations of the randomized SVD's power iterations on blocks stored as rows (l×m, the
// transpose of the m×l block), against independent textbook code and the row-major versions.

/**
 * scipy.linalg.lu(Y, permute_l=True) the textbook way: Gaussian elimination with partial pivoting
 * on a row-major copy, rows swapped physically (first maximum wins), P·L put back in Y's row order.
 */
function textbookPL(y: HostMatrix): HostMatrix {
  const { rows: m, cols: l } = y;
  const W = Array.from({ length: m }, (_, i) => Array.from(y.data.subarray(i * l, (i + 1) * l)));
  const L = Array.from({ length: m }, () => new Array<number>(l).fill(0));
  const order = Array.from({ length: m }, (_, i) => i);
  for (let j = 0; j < l; j++) {
    let p = j;
    for (let i = j + 1; i < m; i++) if (Math.abs(W[i]![j]!) > Math.abs(W[p]![j]!)) p = i;
    [W[j], W[p]] = [W[p]!, W[j]!];
    [L[j], L[p]] = [L[p]!, L[j]!];
    [order[j], order[p]] = [order[p]!, order[j]!];
    L[j]![j] = 1;
    if (W[j]![j] === 0) continue;
    for (let i = j + 1; i < m; i++) {
      const f = W[i]![j]! / W[j]![j]!;
      L[i]![j] = f;
      for (let c = j + 1; c < l; c++) W[i]![c] = W[i]![c]! - f * W[j]![c]!;
    }
  }
  const out = new Float64Array(m * l);
  order.forEach((row, at) => out.set(L[at]!, row * l));
  return { rows: m, cols: l, data: out };
}

const maxAbsDiff = (a: HostMatrix, b: HostMatrix) => a.data.reduce((e, v, i) => Math.max(e, Math.abs(v - b.data[i]!)), 0);

describe('LU normalization on rows (the power iterations\' default, as scikit-learn)', () => {
  for (const [m, l] of [[40, 7], [9, 9], [300, 26]] as const) {
    it(`${m}×${l}: equals the textbook P·L bit for bit, rows or not`, () => {
      const y = gaussian(m, l, m + l);
      const want = textbookPL(y);
      expect([...luNormalize(y).data]).toEqual([...want.data]);
      expect([...luNormalizeRows(transpose(y)).data]).toEqual([...transpose(want).data]);
    });
  }

  it('P·L is unit lower triangular in pivot order with |L| ≤ 1, and spans the block (rank-deficient and zero blocks too)', () => {
    const zeroCol = gaussian(30, 6, 3);
    for (let i = 0; i < 30; i++) zeroCol.data[i * 6 + 2] = 0;
    for (const y of [gaussian(30, 6, 1), withSingularValues(30, 6, [3, 1, 0, 0, 0, 0], 2), zeroCol, { rows: 30, cols: 6, data: new Float64Array(180) }]) {
      const pl = luNormalize(y);
      expect(maxAbsDiff(pl, textbookPL(y))).toBe(0);
      for (const v of pl.data) expect(Math.abs(v)).toBeLessThanOrEqual(1);
      // every column has a 1 in a row where the earlier columns' 1s are not, and 0 in their pivot rows above it
      const pivots: number[] = [];
      for (let j = 0; j < 6; j++) {
        const p = Array.from({ length: 30 }, (_, i) => i).find((i) => pl.data[i * 6 + j] === 1 && !pivots.includes(i) && pivots.every((q) => pl.data[q * 6 + j] === 0));
        expect(p, `column ${j}`).toBeDefined();
        pivots.push(p!);
      }
    }
  });

  it('BlockNormalizer: the same result, consuming its argument and reusing one output buffer per width', () => {
    const n = new BlockNormalizer('lu');
    const y1 = transpose(gaussian(50, 8, 7));
    const want1 = luNormalizeRows(y1);
    const copy = y1.data.slice();
    const got1 = n.apply(y1);
    expect([...got1.data]).toEqual([...want1.data]);
    expect([...y1.data]).not.toEqual([...copy]); // overwritten: it held the elimination
    const y2 = transpose(gaussian(50, 8, 8));
    const want2 = luNormalizeRows(y2);
    const got2 = n.apply(y2);
    expect(got2.data).toBe(got1.data);
    expect([...got2.data]).toEqual([...want2.data]);
    const y3 = transpose(gaussian(20, 8, 9)); // another width: another buffer
    expect(n.apply(y3).data).not.toBe(got1.data);
    // the other normalizers leave their argument alone and agree with the row-major ones
    for (const kind of ['qr', 'cholqr2'] as const) {
      const y = gaussian(50, 8, 10);
      const yt = transpose(y);
      const before = yt.data.slice();
      expect(maxAbsDiff(new BlockNormalizer(kind).apply(yt), transpose(normalize(y, kind)))).toBeLessThan(1e-13);
      expect(maxAbsDiff(normalizeRows(yt, kind), transpose(normalize(y, kind)))).toBeLessThan(1e-13);
      expect([...yt.data]).toEqual([...before]);
    }
  });
});

describe('qrQRows: Qᵀ of the thin QR from the block\'s rows', () => {
  for (const [m, n] of [[60, 9], [9, 9], [5, 12]] as const) {
    it(`${m}×${n}: transpose(qr(A).Q) up to rounding`, () => {
      const a = gaussian(m, n, 3 * m + n);
      const qt = qrQRows(transpose(a));
      expect([qt.rows, qt.cols]).toEqual([Math.min(m, n), m]);
      expect(maxAbsDiff(qt, transpose(qr(a).Q))).toBeLessThan(1e-13);
    });
  }
  it('rank-deficient and zero blocks: still orthonormal; equal to qr on the range (beyond it both complete the basis from rounding noise)', () => {
    for (const [a, rank] of [[withSingularValues(40, 6, [2, 1], 4), 2], [{ rows: 40, cols: 6, data: new Float64Array(240) }, 6]] as const) {
      const qt = orthonormalRows(transpose(a));
      expect(orthogonalityError(transpose(qt))).toBeLessThan(1e-13);
      const ref = transpose(qr(a).Q);
      expect(maxAbsDiff({ rows: rank, cols: 40, data: qt.data.subarray(0, rank * 40) }, { rows: rank, cols: 40, data: ref.data.subarray(0, rank * 40) })).toBeLessThan(1e-13);
    }
  });
});
