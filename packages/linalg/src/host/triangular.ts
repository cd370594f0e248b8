import { ShapeError } from '@edora/tensor';
import { SingularMatrixError } from '../errors.js';
import { assertSquare, transpose, type HostMatrix } from './matrix.js';

export interface TriangularSolveOptions {
  /** Which triangle of T holds the matrix (the other one is ignored). */
  lower: boolean;
  /** Solve with Tᵀ instead of T. Default false. */
  transpose?: boolean;
  /** 'left': T X = B (default). 'right': X T = B. */
  side?: 'left' | 'right';
  /** Treat the diagonal as ones without reading it. Default false. */
  unitDiagonal?: boolean;
}

/** Solves a triangular system for every column (side 'left') or row (side 'right') of B. */
export function solveTriangular(t: HostMatrix, b: HostMatrix, opts: TriangularSolveOptions): HostMatrix {
  assertSquare(t, 'solveTriangular');
  const side = opts.side ?? 'left';
  const trans = opts.transpose ?? false;
  if (side === 'right') {
    // X T = B  ⇔  Tᵀ Xᵀ = Bᵀ.
    if (b.cols !== t.rows) {
      throw new ShapeError(`solveTriangular(side 'right'): B is ${b.rows}×${b.cols}, T is ${t.rows}×${t.cols}; expected B.cols = ${t.rows}`);
    }
    return transpose(solveLeft(t, transpose(b), opts.lower, !trans, opts.unitDiagonal ?? false));
  }
  if (b.rows !== t.rows) {
    throw new ShapeError(`solveTriangular(side 'left'): T is ${t.rows}×${t.cols}, B is ${b.rows}×${b.cols}; expected B.rows = ${t.rows}`);
  }
  return solveLeft(t, b, opts.lower, trans, opts.unitDiagonal ?? false);
}

/**
 * op(T) X = B by substitution, row by row of X so the inner loop runs over contiguous rows.
 * op(T) is lower when (lower XOR trans) — Tᵀ of an upper matrix is lower.
 */
function solveLeft(t: HostMatrix, b: HostMatrix, lower: boolean, trans: boolean, unit: boolean): HostMatrix {
  const n = t.rows;
  const nrhs = b.cols;
  const T = t.data;
  const X = b.data.slice();
  // Element (i, p) of op(T).
  const at = trans ? (i: number, p: number) => T[p * n + i]! : (i: number, p: number) => T[i * n + p]!;
  const forward = lower !== trans;
  for (let s = 0; s < n; s++) {
    const i = forward ? s : n - 1 - s;
    const xi = X.subarray(i * nrhs, (i + 1) * nrhs);
    const from = forward ? 0 : i + 1;
    const to = forward ? i : n;
    for (let p = from; p < to; p++) {
      const f = at(i, p);
      if (f === 0) continue;
      const xp = X.subarray(p * nrhs, (p + 1) * nrhs);
      for (let c = 0; c < nrhs; c++) xi[c]! -= f * xp[c]!;
    }
    if (!unit) {
      const d = at(i, i);
      if (d === 0) throw new SingularMatrixError(`solveTriangular: diagonal entry ${i} of the ${n}×${n} triangular matrix is 0`);
      for (let c = 0; c < nrhs; c++) xi[c]! /= d;
    }
  }
  return { rows: n, cols: nrhs, data: X };
}
