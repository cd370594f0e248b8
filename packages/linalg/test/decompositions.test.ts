import { beforeAll, describe, expect, it } from 'vitest';
import { ShapeError, initBackend, type BackendV1, registeredBackends, tensor, zeros, type Tensor } from '@edora/tensor';
import { NonFiniteError, NotPositiveDefiniteError, cholesky, eigh, qr, solveTriangular, svd } from '../src/index.js';
import type { HostMatrix } from '../src/host/matrix.js';
import { CASES } from './cases.js';
import {
  exactSingularValues, gaussian, orthogonalityError, reconstructionError, singularValueError, toMl, transposeHost,
} from './reference.js';

const BACKENDS = registeredBackends().map((b) => b.name);

async function host(t: Tensor): Promise<HostMatrix> {
  const d = await t.data();
  return { rows: t.shape[0]!, cols: t.shape[1] ?? 1, data: Float64Array.from(d) };
}

describe.each(BACKENDS)('full svd and factorizations of tensors on the %s backend', (backendName) => {
  let backend: BackendV1;
  beforeAll(async () => {
    backend = await initBackend(backendName);
  });
  const onBackend = (a: HostMatrix) => tensor(Float32Array.from(a.data), [a.rows, a.cols], { backend });

  for (const c of CASES) {
    it(`svd, ${c.name}: values to 1e-5 of ml-matrix, orthonormal U and V, reconstruction`, async () => {
      const { U, S, Vt } = await svd(onBackend(c.a));
      const k = Math.min(c.a.rows, c.a.cols);
      expect([U.shape, S.shape, Vt.shape, U.dtype]).toEqual([[c.a.rows, k], [k], [k, c.a.cols], 'float32']);
      const sigma = exactSingularValues(c.a);
      const s = await S.data();
      expect(singularValueError(s, sigma, (sigma[0] ?? 0) * 1e-6 || 1e-30)).toBeLessThan(1e-5);
      const u = await host(U);
      const vt = await host(Vt);
      expect(orthogonalityError(u)).toBeLessThan(1e-5);
      expect(orthogonalityError(transposeHost(vt))).toBeLessThan(1e-5);
      expect(reconstructionError(c.a, u, s, vt)).toBeLessThan(1e-6 * Math.max(1, Math.hypot(...c.a.data)));
    });
  }

  it('qr, eigh, cholesky and solveTriangular return tensors on the same backend that satisfy their definitions', async () => {
    const a = gaussian(12, 5, 1);
    const f = await qr(onBackend(a));
    expect(f.Q.backend).toBe(backend);
    const q = await host(f.Q);
    const r = await host(f.R);
    expect(orthogonalityError(q)).toBeLessThan(1e-6);
    expect(toMl(q).mmul(toMl(r)).sub(toMl(a)).norm('max')).toBeLessThan(1e-5);

    const g = toMl(a).transpose().mmul(toMl(a));
    const gt = tensor(Float32Array.from(g.to1DArray()), [5, 5], { backend });
    const e = await eigh(gt);
    const vals = await e.values.data();
    const vecs = toMl(await host(e.vectors));
    const resid = g.mmul(vecs).sub(vecs.mmul(toMl({ rows: 5, cols: 5, data: Float64Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? vals[i / 6]! : 0)) })));
    expect(resid.norm('max')).toBeLessThan(1e-4 * vals[4]!);

    const L = await cholesky(gt);
    const l = toMl(await host(L));
    expect(l.mmul(l.transpose()).sub(g).norm('max')).toBeLessThan(1e-5 * g.norm('max'));
    const b = gaussian(5, 2, 3);
    const x = await solveTriangular(L, onBackend(b), { lower: true });
    expect(l.mmul(toMl(await host(x))).sub(toMl(b)).norm('max')).toBeLessThan(1e-4);
  });

  it('typed errors: NaN → NonFiniteError, 1-D → ShapeError, indefinite → NotPositiveDefiniteError', async () => {
    await expect(svd(tensor(Float32Array.of(1, Number.NaN, 3, 4), [2, 2], { backend }))).rejects.toThrow(NonFiniteError);
    await expect(svd(zeros([4], { backend }))).rejects.toThrow(ShapeError);
    await expect(cholesky(tensor(Float32Array.of(1, 2, 2, 1), [2, 2], { backend }))).rejects.toThrow(NotPositiveDefiniteError);
  });
});
