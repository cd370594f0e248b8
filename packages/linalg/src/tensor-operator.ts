import { matmul, noGrad, randn, tensor, type BackendV1, type Tensor } from '@edora/tensor';
import type { HostMatrix } from './host/matrix.js';
import type { LinearOperator } from './host/linear-operator.js';
import { fromHost, reportNonFinite } from './tensor-io.js';

/**
 * The Gaussian test matrices of a batch of operators (`topLeftSingularVectorsBatch`): Ω depends
 * only on its shape, seed, dtype and backend, so matrices with as many columns share one draw
 * instead of each drawing the same numbers again. The owner disposes them after the batch.
 */
export class SharedSketches {
  private readonly drawn = new Map<BackendV1, Map<string, Tensor>>();

  omega(rows: number, l: number, seed: number, backend: BackendV1, dtype: 'float32' | 'float64'): Tensor {
    let mine = this.drawn.get(backend);
    if (!mine) this.drawn.set(backend, (mine = new Map()));
    const key = `${rows}×${l} ${dtype} seed ${seed}`;
    let t = mine.get(key);
    if (!t) mine.set(key, (t = noGrad(() => randn([rows, l], { seed, backend, dtype }))));
    return t;
  }

  dispose(): void {
    for (const mine of this.drawn.values()) for (const t of mine.values()) t.dispose();
    this.drawn.clear();
  }
}

/**
 * A 2-D tensor as a LinearOperator: every product with the big matrix runs as a matmul on the
 * tensor's own backend (the GPU when it lives there); only the thin l×m / l×n blocks travel to the
 * host. The Gaussian test matrix is drawn on the backend from the counter-based RNG, so a seed
 * gives the same Ω — and the same result up to rounding — on every backend.
 */
export class TensorOperator implements LinearOperator {
  readonly rows: number;
  readonly cols: number;
  private readonly a: Tensor;
  private readonly dtype: 'float32' | 'float64';
  private readonly op: string;
  private readonly sketches: SharedSketches | undefined;
  private readonly staging = new Map<number, Float32Array>();

  /** `sketches`: where to take Ω from when it is shared with other operators (else drawn and freed here). */
  constructor(a: Tensor, op: string, sketches?: SharedSketches) {
    this.a = a;
    this.rows = a.shape[0]!;
    this.cols = a.shape[1]!;
    this.dtype = a.dtype === 'float64' ? 'float64' : 'float32';
    this.op = op;
    this.sketches = sketches;
  }

  sketch(l: number, seed: number): Promise<HostMatrix> {
    return this.product(undefined, () => {
      const { backend } = this.a;
      const omega = this.sketches?.omega(this.cols, l, seed, backend, this.dtype) ?? randn([this.cols, l], { seed, backend, dtype: this.dtype });
      const yt = matmul(omega, this.a, { transA: true, transB: true }); // (A Ω)ᵀ = Ωᵀ Aᵀ
      if (!this.sketches) omega.dispose();
      return yt;
    });
  }

  timesA(x: HostMatrix, out?: Float64Array): Promise<HostMatrix> {
    return this.product(out, () => {
      const xt = this.upload(x);
      const y = matmul(xt, this.a);
      xt.dispose();
      return y;
    });
  }

  timesAT(x: HostMatrix, out?: Float64Array): Promise<HostMatrix> {
    return this.product(out, () => {
      const xt = this.upload(x);
      const y = matmul(xt, this.a, { transB: true });
      xt.dispose();
      return y;
    });
  }

  /**
   * A block as a tensor of A's dtype. float32 blocks are narrowed in one reused array per size
   * (`tensor` copies its argument), not a fresh one per product: fewer short-lived buffers for the
   * collector.
   */
  private upload(x: HostMatrix): Tensor {
    if (this.dtype === 'float64') return fromHost(x, this.a.backend, 'float64');
    let f32 = this.staging.get(x.data.length);
    if (!f32) this.staging.set(x.data.length, (f32 = new Float32Array(x.data.length)));
    f32.set(x.data);
    return noGrad(() => tensor(f32, [x.rows, x.cols], { backend: this.a.backend }));
  }

  private async product(into: Float64Array | undefined, run: () => Tensor): Promise<HostMatrix> {
    const y = noGrad(run);
    try {
      // Widen to float64, then check finiteness (NaN/Inf in A always reach the product): v·0 is
      // 0 for every finite v and NaN otherwise, so one sum tells.
      const data = await y.data();
      const out = into ?? new Float64Array(data.length);
      let poison = 0;
      for (let i = 0; i < data.length; i++) {
        const v = data[i]!;
        out[i] = v;
        poison += v * 0;
      }
      if (poison !== 0) return await reportNonFinite(this.a, this.op);
      return { rows: y.shape[0]!, cols: y.shape[1]!, data: out };
    } finally {
      y.dispose();
    }
  }
}
