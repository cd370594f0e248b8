import { describe, expect, it } from 'vitest';
import { countingBackend } from './counting-backend.js';
import { CpuBackend, matmul, mul, sum, tensor, type MatmulOptions, type Tensor } from '@edora/tensor';

// matmul's forward and both gradients against a float64 recomputation by loops, for every way an
// operand can arrive: transposed by a flag, a vector, with batch dims broadcast on either side, a
// 2-D weight against a batched input (the folded Linear case), strided views, and alpha. The loss
// is L = Σ c ⊙ (alpha · op(a) @ op(b)), so dL/d op(A) = alpha · c · op(B)ᵀ summed over the batch
// dims op(A) was broadcast along, and dL/d op(B) = alpha · op(A)ᵀ · c likewise.

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** Row-major strides of a shape. */
function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Element of a row-major array of `shape` at the multi-index `idx` aligned to the right, broadcast (size-1 dims read index 0). */
function at(data: Float64Array, shape: readonly number[], idx: readonly number[]): number {
  const st = stridesOf(shape);
  let off = 0;
  for (let i = 0; i < shape.length; i++) {
    const j = idx[idx.length - shape.length + i]!;
    off += (shape[i] === 1 ? 0 : j) * st[i]!;
  }
  return data[off]!;
}

interface Case {
  name: string;
  aShape: number[];
  bShape: number[];
  options: MatmulOptions;
  /** make a / b a strided view (a permuted copy) instead of a contiguous tensor */
  stridedA?: boolean;
  stridedB?: boolean;
}

const cases: Case[] = [
  { name: '2-D @ 2-D', aShape: [3, 4], bShape: [4, 5], options: {} },
  { name: 'transA, transB', aShape: [4, 3], bShape: [5, 4], options: { transA: true, transB: true } },
  { name: 'batched @ 2-D weight (folded), transB', aShape: [2, 3, 4], bShape: [5, 4], options: { transB: true } },
  { name: 'batched @ 2-D weight (folded), transA', aShape: [2, 4, 3], bShape: [4, 5], options: { transA: true } },
  { name: 'batched transposed-strided @ 2-D (folded after a copy)', aShape: [2, 3, 4], bShape: [4, 5], options: {}, stridedA: true },
  { name: '2-D @ batched (a broadcast)', aShape: [3, 4], bShape: [2, 4, 5], options: {} },
  { name: 'broadcast batch dims [2,1] × [3]', aShape: [2, 1, 3, 4], bShape: [3, 4, 5], options: { transB: false } },
  { name: '4-D attention-like, transB, strided', aShape: [2, 2, 3, 4], bShape: [2, 2, 5, 4], options: { transB: true }, stridedA: true, stridedB: true },
  { name: 'vector @ batched', aShape: [4], bShape: [2, 4, 5], options: {} },
  { name: 'batched @ vector', aShape: [2, 3, 4], bShape: [4], options: {} },
  { name: 'vector @ vector', aShape: [4], bShape: [4], options: {} },
  { name: 'alpha 0.25', aShape: [2, 3, 4], bShape: [2, 4, 5], options: { alpha: 0.25 } },
  { name: 'alpha 3, batched @ 2-D transB', aShape: [2, 3, 4], bShape: [5, 4], options: { alpha: 3, transB: true } },
];

const be = new CpuBackend();

/** A float64 tensor of `shape` holding `data` in row-major order; strided = a permuted copy viewed back. */
function make(data: Float64Array, shape: number[], strided: boolean): Tensor {
  if (!strided || shape.length < 2) return tensor(data, shape, { backend: be }).requiresGrad_();
  // store the last two dims swapped, then view them back: same logical values, column-major
  const r = shape.length;
  const swapped = [...shape.slice(0, -2), shape[r - 1]!, shape[r - 2]!];
  const st = stridesOf(shape);
  const stored = new Float64Array(data.length);
  const sst = stridesOf(swapped);
  for (let i = 0; i < data.length; i++) {
    let rem = i;
    let off = 0;
    for (let d = 0; d < r; d++) {
      const idx = Math.floor(rem / st[d]!);
      rem -= idx * st[d]!;
      const sd = d === r - 1 ? r - 2 : d === r - 2 ? r - 1 : d;
      off += idx * sst[sd]!;
    }
    stored[off] = data[i]!;
  }
  const leaf = tensor(stored, swapped, { backend: be }).requiresGrad_();
  return leaf.transpose(-2, -1);
}

describe('matmul gradients against a float64 recomputation', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = rng(c.name.length * 7919);
      const aData = Float64Array.from({ length: c.aShape.reduce((x, y) => x * y, 1) }, r);
      const bData = Float64Array.from({ length: c.bShape.reduce((x, y) => x * y, 1) }, r);
      const aIn = make(aData, c.aShape, c.stridedA ?? false);
      const bIn = make(bData, c.bShape, c.stridedB ?? false);
      const leafA = aIn.node ? null : aIn;
      const y = matmul(aIn, bIn, c.options);
      const alpha = c.options.alpha ?? 1;

      // the logical operands op(A) [..., M, K] and op(B) [..., K, N] as functions of an index
      const vecA = c.aShape.length === 1;
      const vecB = c.bShape.length === 1;
      const A2 = vecA ? [1, c.aShape[0]!] : c.options.transA ? [...c.aShape.slice(0, -2), c.aShape.at(-1)!, c.aShape.at(-2)!] : c.aShape;
      const B2 = vecB ? [c.bShape[0]!, 1] : c.options.transB ? [...c.bShape.slice(0, -2), c.bShape.at(-1)!, c.bShape.at(-2)!] : c.bShape;
      const M = A2.at(-2)!;
      const K = A2.at(-1)!;
      const N = B2.at(-1)!;
      const batch: number[] = [];
      const ra = A2.length - 2;
      const rb = B2.length - 2;
      for (let i = 0; i < Math.max(ra, rb); i++) {
        const da = A2[ra - Math.max(ra, rb) + i] ?? 1;
        const db = B2[rb - Math.max(ra, rb) + i] ?? 1;
        batch.push(Math.max(da, db));
      }
      /** op(A)[bi, m, k]: reads a, undoing the transpose flag */
      const opA = (bi: number[], m: number, k: number): number =>
        vecA ? aData[k]! : at(aData, c.aShape, c.options.transA ? [...bi, k, m] : [...bi, m, k]);
      const opB = (bi: number[], k: number, n: number): number =>
        vecB ? bData[k]! : at(bData, c.bShape, c.options.transB ? [...bi, n, k] : [...bi, k, n]);
      const outFull = [...batch, M, N];
      const nb = batch.reduce((x, z) => x * z, 1);
      const batchIdx = (i: number): number[] => {
        const idx: number[] = [];
        for (let d = batch.length - 1; d >= 0; d--) {
          idx.unshift(i % batch[d]!);
          i = Math.floor(i / batch[d]!);
        }
        return idx;
      };
      const cData = Float64Array.from({ length: nb * M * N }, r);
      const y64 = new Float64Array(nb * M * N);
      const dA = new Float64Array(aData.length);
      const dB = new Float64Array(bData.length);
      const aIndex = (bi: number[], m: number, k: number): number => {
        if (vecA) return k;
        const idx = c.options.transA ? [...bi, k, m] : [...bi, m, k];
        const st = stridesOf(c.aShape);
        return c.aShape.reduce((o, d, i) => o + (d === 1 ? 0 : idx[idx.length - c.aShape.length + i]!) * st[i]!, 0);
      };
      const bIndex = (bi: number[], k: number, n: number): number => {
        if (vecB) return k;
        const idx = c.options.transB ? [...bi, n, k] : [...bi, k, n];
        const st = stridesOf(c.bShape);
        return c.bShape.reduce((o, d, i) => o + (d === 1 ? 0 : idx[idx.length - c.bShape.length + i]!) * st[i]!, 0);
      };
      for (let t = 0; t < nb; t++) {
        const bi = batchIdx(t);
        for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += opA(bi, m, k) * opB(bi, k, n);
          const o = (t * M + m) * N + n;
          y64[o] = alpha * s;
          const g = alpha * cData[o]!;
          for (let k = 0; k < K; k++) {
            dA[aIndex(bi, m, k)]! += g * opB(bi, k, n);
            dB[bIndex(bi, k, n)]! += opA(bi, m, k) * g;
          }
        }
      }
      // y has outFull's elements with the vector dims squeezed
      expect(y.size).toBe(outFull.reduce((x, z) => x * z, 1));
      const got = y.dataSync() as Float64Array;
      for (let i = 0; i < y64.length; i++) expect(got[i]!, `y[${i}]`).toBeCloseTo(y64[i]!, 12);
      sum(mul(y, tensor(cData, [...y.shape], { backend: be }))).backward();
      // the leaves hold gradients in their own (stored) layout; compare logically
      const gradA = leafA ? leafA.grad! : aInLeafGrad(aIn);
      const gradB = bIn.node ? aInLeafGrad(bIn) : bIn.grad!;
      expect(gradA.shape).toEqual(c.aShape);
      expect(gradB.shape).toEqual(c.bShape);
      const ga = gradA.dataSync() as Float64Array;
      const gb = gradB.dataSync() as Float64Array;
      for (let i = 0; i < dA.length; i++) expect(ga[i]!, `dA[${i}]`).toBeCloseTo(dA[i]!, 12);
      for (let i = 0; i < dB.length; i++) expect(gb[i]!, `dB[${i}]`).toBeCloseTo(dB[i]!, 12);
    });
  }
});

/** For a strided input (a transposed view of a leaf), its gradient viewed in the input's logical layout. */
function aInLeafGrad(view: Tensor): Tensor {
  const leaf = view.node!.next[0]!.leaf!;
  return leaf.grad!.transpose(-2, -1);
}

describe('matmul backward does no more work than it must', () => {

  it('a transposed 2-D weight against a batched input: one product for its gradient, no sum, no copy', () => {
    const { backend, ops } = countingBackend();
    const x = tensor(Float32Array.from({ length: 2 * 3 * 4 }, rng(1)), [2, 3, 4], { backend });
    const w = tensor(Float32Array.from({ length: 5 * 4 }, rng(2)), [5, 4], { backend }).requiresGrad_();
    const y = matmul(x, w, { transB: true });
    // a dense upstream gradient (sum's alone is a broadcast view that the product must lay out)
    const loss = sum(mul(y, tensor(Float32Array.from({ length: 2 * 3 * 5 }, rng(6)), [2, 3, 5], { backend })));
    ops.length = 0;
    loss.backward();
    expect(ops.filter((o) => o === 'matmul')).toHaveLength(1);
    expect(ops.filter((o) => o === 'reduce' || o === 'copy')).toEqual([]);
    expect(w.grad!.isContiguous).toBe(true);
  });

  it('a strided operand is copied once, in the forward product, not again for backward', () => {
    const { backend, ops } = countingBackend();
    const r = rng(3);
    // q and k as attention's head views: [B, T, h, d] permuted to [B, h, T, d]
    const q = tensor(Float32Array.from({ length: 2 * 3 * 2 * 4 }, r), [2, 3, 2, 4], { backend }).requiresGrad_();
    const k = tensor(Float32Array.from({ length: 2 * 3 * 2 * 4 }, r), [2, 3, 2, 4], { backend }).requiresGrad_();
    const qh = q.permute([0, 2, 1, 3]);
    const kh = k.permute([0, 2, 1, 3]);
    ops.length = 0;
    const s = matmul(qh, kh, { transB: true });
    expect(ops.filter((o) => o === 'copy')).toHaveLength(2);
    const loss = sum(s);
    ops.length = 0;
    loss.backward();
    expect(ops.filter((o) => o === 'matmul')).toHaveLength(2);
    // one copy lays out the broadcast gradient of the sum, two store the permuted gradients of
    // the leaves q and k densely; none re-copies q or k (before: two more)
    expect(ops.filter((o) => o === 'copy')).toHaveLength(3);
  });

  it('a frozen operand is not kept for backward', () => {
    const { backend } = countingBackend();
    const x = tensor(Float32Array.from({ length: 12 }, rng(4)), [3, 4], { backend }).requiresGrad_();
    const w = tensor(Float32Array.from({ length: 20 }, rng(5)), [4, 5], { backend });
    const y = matmul(x, w);
    // dX = g Wᵀ reads only w
    expect(y.node!.saved).toHaveLength(1);
    expect(y.node!.saved[0]!.storage).toBe(w.storage);
  });
});
