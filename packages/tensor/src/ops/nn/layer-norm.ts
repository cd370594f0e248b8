import { ShapeError } from '../../errors.js';
import { numel, shapeStr } from '../../shape.js';
import { recordOp, type Tensor } from '../../tensor.js';
import { scalarLike } from '../creation.js';
import { fusedOr, runOp } from '../dispatch.js';
import { rawBinary, rawUnary } from '../elementwise.js';
import { contiguous, reshape } from '../views.js';
import { rawRowReduce, spec } from './row-helpers.js';

export interface LayerNormStats {
  y: Tensor;
  mean: Tensor;
  rstd: Tensor;
}

function layerNormForward(x2: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor[] {
  const n = x2.shape[0]!;
  return fusedOr(
    'layerNorm', [x2, gamma, beta],
    [spec(x2), { shape: [n], dtype: x2.dtype }, { shape: [n], dtype: x2.dtype }], { eps },
    () => {
      const d = x2.shape[1]!;
      const s = rawRowReduce('sum', x2);
      const inv = scalarLike(x2, 1 / d);
      const mu = rawBinary('mul', s, inv);
      const z = rawBinary('sub', x2, mu);
      const z2 = rawUnary('square', z);
      const vs = rawRowReduce('sum', z2);
      const v = rawBinary('mul', vs, inv);
      const e = scalarLike(x2, eps);
      const ve = rawBinary('add', v, e);
      const rs = rawUnary('rsqrt', ve);
      const xh = rawBinary('mul', z, rs);
      const yg = rawBinary('mul', xh, gamma);
      const y = rawBinary('add', yg, beta);
      const mean = reshape(mu, [n]);
      const rstd = reshape(rs, [n]);
      return [y, mean, rstd];
    },
  );
}

function layerNormBackward(x2: Tensor, gamma: Tensor, mean: Tensor, rstd: Tensor, dy: Tensor): Tensor[] {
  const [n, d] = x2.shape as [number, number];
  return fusedOr(
    'layerNormBackward', [x2, gamma, mean, rstd, dy],
    [spec(x2), spec(gamma), spec(gamma)], {},
    () => {
      const mu = reshape(mean, [n, 1]);
      const rs = reshape(rstd, [n, 1]);
      const z = rawBinary('sub', x2, mu);
      const xh = rawBinary('mul', z, rs);
      const g = rawBinary('mul', dy, gamma);
      const inv = scalarLike(x2, 1 / d);
      const sg = rawRowReduce('sum', g);
      const mg = rawBinary('mul', sg, inv);
      const gx = rawBinary('mul', g, xh);
      const sgx = rawRowReduce('sum', gx);
      const mgx = rawBinary('mul', sgx, inv);
      const t1 = rawBinary('sub', g, mg);
      const t2 = rawBinary('mul', xh, mgx);
      const t3 = rawBinary('sub', t1, t2);
      const dx = rawBinary('mul', t3, rs);
      const dyxh = rawBinary('mul', dy, xh);
      const dg = runOp('reduce', [dyxh], [{ shape: [1, d], dtype: x2.dtype }], { fn: 'sum', axis: 0 })[0]!;
      const db = runOp('reduce', [dy], [{ shape: [1, d], dtype: x2.dtype }], { fn: 'sum', axis: 0 })[0]!;
      const dgamma = reshape(dg, [d]);
      const dbeta = reshape(db, [d]);
      return [dx, dgamma, dbeta];
    },
  );
}

/** LayerNorm over the last dim with affine gamma, beta (as torch.nn.LayerNorm). */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
  const d = x.shape[x.rank - 1];
  if (x.rank === 0 || gamma.rank !== 1 || beta.rank !== 1 || gamma.shape[0] !== d || beta.shape[0] !== d) {
    throw new ShapeError(
      `layerNorm: expected x [..., D] with gamma [D] and beta [D], got x ${shapeStr(x.shape)}, gamma ${shapeStr(gamma.shape)}, beta ${shapeStr(beta.shape)}`,
    );
  }
  const n = numel(x.shape) / (d || 1);
  const xc = contiguous(x);
  const x2 = reshape(xc, [n, d!]);
  xc.dispose();
  const [y, mean, rstd] = layerNormForward(x2, gamma, beta, eps);
  const out2 = recordOp(y!, 'layerNorm', [x2, gamma, beta], [x2, gamma, mean!, rstd!], (g, [xs, gm, mu, rs]) => {
    const gc = contiguous(g);
    return layerNormBackward(xs!, gm!, mu!, rs!, gc);
  });
  mean!.dispose();
  rstd!.dispose();
  const out = reshape(out2, x.shape);
  out2.dispose();
  x2.dispose();
  return out;
}
