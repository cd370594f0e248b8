/*
 * Row-wise and elementwise kernels of the fused ops that pay in wasm: AdamW, DoRA's row norm and
 * layerNorm forward. They compute in f64x2 lanes, like the cpu reference (JavaScript numbers), so
 * they agree with it to the last bit or nearly: AdamW is the same formula in the same order;
 * sums differ only by summation order. Same rules as gemm.c: no libc, no shadow stack.
 */
#include "simd_math.h"

#define EXPORT(name) __attribute__((export_name(name)))


/* PyTorch AdamW, as the cpu kernel: p -= lr*wd*p; moments; p -= stepSize * m / (sqrt(v) / bc2Sqrt + eps). */
EXPORT("adamw_f32")
void adamw_f32(float *P, const float *G, float *M, float *V, int32_t n, double lr, double beta1, double beta2, double eps,
               double wd, double stepSize, double bc2Sqrt) {
  const v128_t decay = wasm_f64x2_splat(lr * wd), b1 = wasm_f64x2_splat(beta1), b2 = wasm_f64x2_splat(beta2);
  const v128_t c1 = wasm_f64x2_splat(1 - beta1), c2 = wasm_f64x2_splat(1 - beta2), ss = wasm_f64x2_splat(stepSize);
  const v128_t bs = wasm_f64x2_splat(bc2Sqrt), ep = wasm_f64x2_splat(eps);
  int32_t i = 0;
  for (; i + 2 <= n; i += 2) {
    const v128_t g = load2(G + i);
    v128_t p = load2(P + i);
    p = wasm_f64x2_sub(p, wasm_f64x2_mul(decay, p));
    const v128_t m = wasm_f64x2_add(wasm_f64x2_mul(b1, load2(M + i)), wasm_f64x2_mul(c1, g));
    const v128_t v = wasm_f64x2_add(wasm_f64x2_mul(b2, load2(V + i)), wasm_f64x2_mul(wasm_f64x2_mul(c2, g), g));
    store2(M + i, m);
    store2(V + i, v);
    const v128_t den = wasm_f64x2_add(wasm_f64x2_div(wasm_f64x2_sqrt(v), bs), ep);
    store2(P + i, wasm_f64x2_sub(p, wasm_f64x2_div(wasm_f64x2_mul(ss, m), den)));
  }
  for (; i < n; i++) {
    const double g = G[i];
    double p = P[i];
    p -= lr * wd * p;
    const double m = beta1 * M[i] + (1 - beta1) * g;
    const double v = beta2 * V[i] + (1 - beta2) * g * g;
    M[i] = (float)m;
    V[i] = (float)v;
    P[i] = (float)(p - (stepSize * m) / (__builtin_sqrt(v) / bc2Sqrt + eps));
  }
}

static inline double hsum(v128_t v) { return wasm_f64x2_extract_lane(v, 0) + wasm_f64x2_extract_lane(v, 1); }

/* Sum of a row (f64 accumulation). */
static double row_sum(const float *x, int32_t d) {
  v128_t a = wasm_f64x2_splat(0), b = a;
  int32_t k = 0;
  for (; k + 4 <= d; k += 4) {
    const v128_t v = wasm_v128_load(x + k);
    a = wasm_f64x2_add(a, wasm_f64x2_promote_low_f32x4(v));
    b = wasm_f64x2_add(b, wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)));
  }
  double s = hsum(wasm_f64x2_add(a, b));
  for (; k < d; k++) s += x[k];
  return s;
}

/* Sum of (x - c)^2 over a row (f64 accumulation). */
static double row_sq(const float *x, int32_t d, double c) {
  const v128_t vc = wasm_f64x2_splat(c);
  v128_t a = wasm_f64x2_splat(0), b = a;
  int32_t k = 0;
  for (; k + 4 <= d; k += 4) {
    const v128_t v = wasm_v128_load(x + k);
    const v128_t lo = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(v), vc);
    const v128_t hi = wasm_f64x2_sub(wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)), vc);
    a = wasm_f64x2_add(a, wasm_f64x2_mul(lo, lo));
    b = wasm_f64x2_add(b, wasm_f64x2_mul(hi, hi));
  }
  double s = hsum(wasm_f64x2_add(a, b));
  for (; k < d; k++) s += (x[k] - c) * (x[k] - c);
  return s;
}

/* out[r] = sqrt(sum_k w[r,k]^2): DoRA's weight norm per output feature. */
EXPORT("rownorm_f32")
void rownorm_f32(const float *W, float *out, int32_t n, int32_t d) {
  for (int32_t r = 0; r < n; r++) out[r] = (float)__builtin_sqrt(row_sq(W + r * d, d, 0));
}

/* y = (x - mean) * rstd * gamma + beta per row; mean and rstd = 1 / sqrt(var + eps) saved for backward. */
EXPORT("layernorm_f32")
void layernorm_f32(const float *X, const float *gamma, const float *beta, float *Y, float *mean, float *rstd, int32_t n,
                   int32_t d, double eps) {
  for (int32_t r = 0; r < n; r++) {
    const float *x = X + r * d;
    float *y = Y + r * d;
    const double mu = row_sum(x, d) / d;
    const double rs = 1 / __builtin_sqrt(row_sq(x, d, mu) / d + eps);
    mean[r] = (float)mu;
    rstd[r] = (float)rs;
    const v128_t vm = wasm_f64x2_splat(mu), vr = wasm_f64x2_splat(rs);
    int32_t k = 0;
    for (; k + 2 <= d; k += 2) {
      const v128_t t = wasm_f64x2_mul(wasm_f64x2_sub(load2(x + k), vm), vr);
      store2(y + k, wasm_f64x2_add(wasm_f64x2_mul(t, load2(gamma + k)), load2(beta + k)));
    }
    for (; k < d; k++) y[k] = (float)((x[k] - mu) * rs * gamma[k] + beta[k]);
  }
}

/*
 * layerNorm's backward, as the cpu kernel computes it and in its order, so bit-identical to it:
 * per row x̂ = (x − μ)·rstd and g = dy·γ in f64, the row means of g and g·x̂ summed left to right,
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)); dγ = Σ_rows dy·x̂ and dβ = Σ_rows dy accumulated in f64
 * over the rows in order, then rounded once. Lanes run over the row's columns, where every column
 * is independent; only the two row sums are scalar. `scratch` holds 5·d doubles (dγ and dβ
 * accumulators, x̂ and g of the current row, γ).
 */
EXPORT("layernorm_backward_f32")
void layernorm_backward_f32(const float *X, const float *gamma, const float *mean, const float *rstd, const float *DY, float *DX,
                            float *dgamma, float *dbeta, int32_t n, int32_t d, double *scratch) {
  double *dg = scratch, *db = scratch + d, *xh = scratch + 2 * d, *gr = scratch + 3 * d, *gm = scratch + 4 * d;
  for (int32_t k = 0; k < d; k++) {
    dg[k] = 0;
    db[k] = 0;
    gm[k] = gamma[k];
  }
  for (int32_t r = 0; r < n; r++) {
    const float *x = X + r * d, *dy = DY + r * d;
    const double mu = mean[r], rs = rstd[r];
    const v128_t vm = wasm_f64x2_splat(mu), vr = wasm_f64x2_splat(rs);
    double sg = 0, sgx = 0;
    int32_t k = 0;
    for (; k + 2 <= d; k += 2) {
      const v128_t h = wasm_f64x2_mul(wasm_f64x2_sub(load2(x + k), vm), vr);
      const v128_t dyk = load2(dy + k);
      const v128_t g = wasm_f64x2_mul(dyk, wasm_v128_load(gm + k));
      const v128_t gh = wasm_f64x2_mul(g, h);
      wasm_v128_store(xh + k, h);
      wasm_v128_store(gr + k, g);
      sg += wasm_f64x2_extract_lane(g, 0);
      sg += wasm_f64x2_extract_lane(g, 1);
      sgx += wasm_f64x2_extract_lane(gh, 0);
      sgx += wasm_f64x2_extract_lane(gh, 1);
      wasm_v128_store(dg + k, wasm_f64x2_add(wasm_v128_load(dg + k), wasm_f64x2_mul(dyk, h)));
      wasm_v128_store(db + k, wasm_f64x2_add(wasm_v128_load(db + k), dyk));
    }
    for (; k < d; k++) {
      const double h = (x[k] - mu) * rs, dyk = dy[k], g = dyk * gm[k];
      xh[k] = h;
      gr[k] = g;
      sg += g;
      sgx += g * h;
      dg[k] += dyk * h;
      db[k] += dyk;
    }
    sg /= d;
    sgx /= d;
    const v128_t vsg = wasm_f64x2_splat(sg), vsgx = wasm_f64x2_splat(sgx);
    float *dx = DX + r * d;
    for (k = 0; k + 2 <= d; k += 2) {
      const v128_t t = wasm_f64x2_sub(wasm_f64x2_sub(wasm_v128_load(gr + k), vsg), wasm_f64x2_mul(wasm_v128_load(xh + k), vsgx));
      store2(dx + k, wasm_f64x2_mul(vr, t));
    }
    for (; k < d; k++) dx[k] = (float)(rs * (gr[k] - sg - xh[k] * sgx));
  }
  for (int32_t k = 0; k < d; k++) {
    dgamma[k] = (float)dg[k];
    dbeta[k] = (float)db[k];
  }
}
