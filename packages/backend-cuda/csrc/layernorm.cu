// LayerNorm forward and backward, and DoRA's row norm, over contiguous rows of d elements.
#include "common.cuh"

// y = (x − μ)·rstd·γ + β, rstd = 1/√(var + eps) with the biased variance (two passes over the row).
extern "C" __global__ void layernorm_f32(float *y, float *mean, float *rstd, const float *x, const float *gamma,
                                         const float *beta, int rows, int d, float eps) {
  __shared__ float scratch[BLOCK_SCRATCH];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const float *xr = x + (long long)r * d;
    float *yr = y + (long long)r * d;
    float s = 0.f;
    for (int k = threadIdx.x; k < d; k += blockDim.x) s += xr[k];
    const float mu = block_sum(s, scratch) / (float)d;
    float v = 0.f;
    for (int k = threadIdx.x; k < d; k += blockDim.x) {
      const float t = xr[k] - mu;
      v += t * t;
    }
    const float rs = 1.f / sqrtf(block_sum(v, scratch) / (float)d + eps);
    if (threadIdx.x == 0) {
      mean[r] = mu;
      rstd[r] = rs;
    }
    for (int k = threadIdx.x; k < d; k += blockDim.x) yr[k] = (xr[k] - mu) * rs * gamma[k] + beta[k];
  }
}

// dx = rstd · (g − mean(g) − x̂ · mean(g ⊙ x̂)) with x̂ = (x − μ)·rstd, g = dy ⊙ γ; one block per row.
extern "C" __global__ void layernorm_backward_dx_f32(float *dx, const float *x, const float *gamma, const float *mean,
                                                     const float *rstd, const float *dy, int rows, int d) {
  __shared__ float scratch[BLOCK_SCRATCH];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const long long base = (long long)r * d;
    const float mu = mean[r], rs = rstd[r];
    float sg = 0.f, sgx = 0.f;
    for (int k = threadIdx.x; k < d; k += blockDim.x) {
      const float g = dy[base + k] * gamma[k];
      sg += g;
      sgx += g * (x[base + k] - mu) * rs;
    }
    sg = block_sum(sg, scratch) / (float)d;
    sgx = block_sum(sgx, scratch) / (float)d;
    for (int k = threadIdx.x; k < d; k += blockDim.x) {
      const float xh = (x[base + k] - mu) * rs;
      dx[base + k] = rs * (dy[base + k] * gamma[k] - sg - xh * sgx);
    }
  }
}

// Partial dγ and dβ over a chunk of rows: block (x, y) takes columns x·blockDim.x … and rows
// [y·chunk, (y + 1)·chunk), in order, writing pg[y·d + k] = Σ dy ⊙ x̂ and pb[y·d + k] = Σ dy. The
// host sums the chunks with reduce_f32 (deterministic: fixed chunks, fixed order). One chunk per
// 64 rows keeps hundreds of blocks busy where a thread per column over all rows had three.
extern "C" __global__ void layernorm_backward_params_f32(float *pg, float *pb, const float *x, const float *mean,
                                                         const float *rstd, const float *dy, int rows, int d, int chunk) {
  const int k = blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= d) return;
  const int r0 = blockIdx.y * chunk;
  const int r1 = r0 + chunk < rows ? r0 + chunk : rows;
  float sg = 0.f, sb = 0.f;
  for (int r = r0; r < r1; r++) {
    const long long p = (long long)r * d + k;
    sg += dy[p] * (x[p] - mean[r]) * rstd[r];
    sb += dy[p];
  }
  pg[(long long)blockIdx.y * d + k] = sg;
  pb[(long long)blockIdx.y * d + k] = sb;
}

// n[r] = √(Σ_c w[r, c]²)
extern "C" __global__ void row_norm_f32(float *out, const float *w, int rows, int d) {
  __shared__ float scratch[BLOCK_SCRATCH];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const float *wr = w + (long long)r * d;
    float s = 0.f;
    for (int k = threadIdx.x; k < d; k += blockDim.x) s += wr[k] * wr[k];
    s = block_sum(s, scratch);
    if (threadIdx.x == 0) out[r] = sqrtf(s);
  }
}
