import { matmul, noGrad, randn, type Tensor } from '@edora/tensor';
import type { HostMatrix } from './host/matrix.js';
import type { LinearOperator } from './host/linear-operator.js';
import { fromHost, reportNonFinite } from './tensor-io.js';

/**
 * A 2-D tensor as a LinearOperator: every product with the big matrix runs as a matmul on the
 * tensor's own backend (the GPU when it lives there); only the thin m×l / n×l blocks travel to the
 * host. The Gaussian test matrix is drawn on the backend from the counter-based RNG, so a seed
 * gives the same Ω — and the same result up to rounding — on every backend.
 */
export class TensorOperator implements LinearOperator {
  readonly rows: number;
  readonly cols: number;
  private readonly a: Tensor;
  private readonly dtype: 'float32' | 'float64';
  private readonly op: string;

  constructor(a: Tensor, op: string) {
    this.a = a;
    this.rows = a.shape[0]!;
    this.cols = a.shape[1]!;
    this.dtype = a.dtype === 'float64' ? 'float64' : 'float32';
    this.op = op;
  }

  sketch(l: number, seed: number): Promise<HostMatrix> {
    return this.product(() => {
      const omega = randn([this.cols, l], { seed, backend: this.a.backend, dtype: this.dtype });
      const y = matmul(this.a, omega);
      omega.dispose();
      return y;
    });
  }

  apply(x: HostMatrix): Promise<HostMatrix> {
    return this.product(() => {
      const xt = fromHost(x, this.a.backend, this.dtype);
      const y = matmul(this.a, xt);
      xt.dispose();
      return y;
    });
  }

  applyT(x: HostMatrix): Promise<HostMatrix> {
    return this.product(() => {
      const xt = fromHost(x, this.a.backend, this.dtype);
      const y = matmul(this.a, xt, { transA: true });
      xt.dispose();
      return y;
    });
  }

  private async product(run: () => Tensor): Promise<HostMatrix> {
    const y = noGrad(run);
    try {
      const data = await y.data();
      // Widen to float64 and check finiteness in one pass (NaN/Inf in A always reach the product).
      const out = new Float64Array(data.length);
      let finite = true;
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        out[i] = v;
        if (v - v !== 0) finite = false; // NaN or ±Infinity
      }
      if (!finite) return await reportNonFinite(this.a, this.op);
      return { rows: y.shape[0]!, cols: y.shape[1]!, data: out };
    } finally {
      y.dispose();
    }
  }
}
