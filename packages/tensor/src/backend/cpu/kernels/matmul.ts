import type { OpAttrs, TensorView } from '../../contract.js';
import type { AnyTypedArray } from '../../../dtype.js';
import { arrayOf } from '../buffer.js';

/**
 * GEMM in plain TypeScript, GotoBLAS-style: B is packed per KC-deep slab into 4-column panels,
 * A per MC×KC block into 4-row panels, and a 4×4 register-tiled micro-kernel runs over the packed
 * panels. Packing reads either layout (row- or column-major, per the strides rule of the contract)
 * so transposed operands cost nothing extra. Packs are float64: JS arithmetic is double anyway,
 * and it keeps this reference backend more accurate than float32 accumulation.
 */
const MR = 4;
const NR = 4;
const KC = 256;
const MC = 128;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(KC * 64);

export function matmul(a: TensorView, b: TensorView, out: TensorView, attrs: OpAttrs['matmul']): void {
  const [batch, M, K] = a.shape as [number, number, number];
  const N = b.shape[2]!;
  const A = arrayOf(a);
  const B = arrayOf(b);
  const O = arrayOf(out);
  for (let bi = 0; bi < batch; bi++) {
    gemm(
      M, N, K, attrs.alpha, attrs.beta,
      A, a.offset + bi * a.strides[0]!, a.strides[1]!, a.strides[2]!,
      B, b.offset + bi * b.strides[0]!, b.strides[1]!, b.strides[2]!,
      O, out.offset + bi * out.strides[0]!, out.strides[1]!,
    );
  }
}

export function gemm(
  M: number, N: number, K: number, alpha: number, beta: number,
  A: AnyTypedArray, aOff: number, aRow: number, aCol: number,
  B: AnyTypedArray, bOff: number, bRow: number, bCol: number,
  O: AnyTypedArray, oOff: number, ldo: number,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const p = oOff + i * ldo + j;
        O[p] = beta === 0 ? 0 : beta * O[p]!;
      }
    }
    return;
  }
  const nPanels = Math.ceil(N / NR);
  if (packB.length < KC * nPanels * NR) packB = new Float64Array(KC * nPanels * NR);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    // pack B[k0:k0+kc, :] into panels: packB[(jp * kc + k) * NR + c]
    for (let jp = 0; jp < nPanels; jp++) {
      const base = jp * kc * NR;
      for (let k = 0; k < kc; k++) {
        const row = bOff + (k0 + k) * bRow;
        for (let c = 0; c < NR; c++) {
          const j = jp * NR + c;
          packB[base + k * NR + c] = j < N ? B[row + j * bCol]! : 0;
        }
      }
    }
    const first = k0 === 0;
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mc = Math.min(MC, M - i0);
      const mPanels = Math.ceil(mc / MR);
      if (packA.length < mPanels * MR * kc) packA = new Float64Array(mPanels * MR * kc);
      for (let ip = 0; ip < mPanels; ip++) {
        const base = ip * kc * MR;
        for (let r = 0; r < MR; r++) {
          const i = i0 + ip * MR + r;
          if (i < M) {
            const row = aOff + i * aRow + k0 * aCol;
            for (let k = 0; k < kc; k++) packA[base + k * MR + r] = A[row + k * aCol]!;
          } else {
            for (let k = 0; k < kc; k++) packA[base + k * MR + r] = 0;
          }
        }
      }
      for (let jp = 0; jp < nPanels; jp++) {
        const bBase = jp * kc * NR;
        const j = jp * NR;
        const nr = Math.min(NR, N - j);
        for (let ip = 0; ip < mPanels; ip++) {
          const aBase = ip * kc * MR;
          let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
          let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
          let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
          let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
          for (let k = 0, pa = aBase, pb = bBase; k < kc; k++, pa += MR, pb += NR) {
            const a0 = packA[pa]!, a1 = packA[pa + 1]!, a2 = packA[pa + 2]!, a3 = packA[pa + 3]!;
            const b0 = packB[pb]!, b1 = packB[pb + 1]!, b2 = packB[pb + 2]!, b3 = packB[pb + 3]!;
            c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
            c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
            c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
            c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
          }
          const i = i0 + ip * MR;
          const mr = Math.min(MR, M - i);
          const acc = tile;
          acc[0] = c00; acc[1] = c01; acc[2] = c02; acc[3] = c03;
          acc[4] = c10; acc[5] = c11; acc[6] = c12; acc[7] = c13;
          acc[8] = c20; acc[9] = c21; acc[10] = c22; acc[11] = c23;
          acc[12] = c30; acc[13] = c31; acc[14] = c32; acc[15] = c33;
          for (let r = 0; r < mr; r++) {
            const rowOff = oOff + (i + r) * ldo + j;
            for (let c = 0; c < nr; c++) {
              const v = alpha * acc[r * 4 + c]!;
              const p = rowOff + c;
              if (!first) O[p] = O[p]! + v;
              else O[p] = beta === 0 ? v : beta * O[p]! + v;
            }
          }
        }
      }
    }
  }
}

const tile = new Float64Array(16);
