// Row-wise softmax family over contiguous rows of d elements (the reduced axis is the last):
// one block per row, blockDim a power of two; row statistics through shared memory.
#include "common.cuh"

// y ← softmax(x) (log_ = 0) or log-softmax(x) (log_ = 1)
extern "C" __global__ void softmax_f32(float *y, const float *x, int rows, int d, int log_) {
  __shared__ float scratch[BLOCK_SCRATCH];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const float *xr = x + (long long)r * d;
    float *yr = y + (long long)r * d;
    float m = -INFINITY;
    for (int k = threadIdx.x; k < d; k += blockDim.x) m = fmaxf(m, xr[k]);
    m = block_max(m, scratch);
    if (m == -INFINITY) m = 0.f;
    float s = 0.f;
    for (int k = threadIdx.x; k < d; k += blockDim.x) s += expf(xr[k] - m);
    s = block_sum(s, scratch);
    if (log_) {
      const float ls = logf(s) + m;
      for (int k = threadIdx.x; k < d; k += blockDim.x) yr[k] = xr[k] - ls;
    } else {
      const float inv = 1.f / s;
      for (int k = threadIdx.x; k < d; k += blockDim.x) yr[k] = expf(xr[k] - m) * inv;
    }
  }
}

// softmax: dx = y ⊙ (dy − Σ dy⊙y); log-softmax: dx = dy − exp(y) Σ dy
extern "C" __global__ void softmax_backward_f32(float *dx, const float *y, const float *dy, int rows, int d, int log_) {
  __shared__ float scratch[BLOCK_SCRATCH];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const long long base = (long long)r * d;
    float s = 0.f;
    for (int k = threadIdx.x; k < d; k += blockDim.x) s += log_ ? dy[base + k] : dy[base + k] * y[base + k];
    s = block_sum(s, scratch);
    for (int k = threadIdx.x; k < d; k += blockDim.x) {
      dx[base + k] = log_ ? dy[base + k] - expf(y[base + k]) * s : y[base + k] * (dy[base + k] - s);
    }
  }
}

// loss[r] = logsumexp(logits[r]) − logits[r, label]; probs = softmax(logits). Rows whose label is
// ignore_index or outside [0, c) get loss 0 (their probs are still written).
extern "C" __global__ void softmax_xent_f32(float *loss, float *probs, const float *logits, const int *labels, int rows, int c,
                                            int ignore_index) {
  __shared__ float scratch[BLOCK_SCRATCH];
  for (int r = blockIdx.x; r < rows; r += gridDim.x) {
    const float *xr = logits + (long long)r * c;
    float *pr = probs + (long long)r * c;
    float m = -INFINITY;
    for (int k = threadIdx.x; k < c; k += blockDim.x) m = fmaxf(m, xr[k]);
    m = block_max(m, scratch);
    const float shift = m == -INFINITY ? 0.f : m;
    float s = 0.f;
    for (int k = threadIdx.x; k < c; k += blockDim.x) s += expf(xr[k] - shift);
    s = block_sum(s, scratch);
    const float inv = 1.f / s;
    for (int k = threadIdx.x; k < c; k += blockDim.x) pr[k] = expf(xr[k] - shift) * inv;
    if (threadIdx.x == 0) {
      const int label = labels[r];
      loss[r] = (label == ignore_index || label < 0 || label >= c) ? 0.f : logf(s) + shift - xr[label];
    }
  }
}

// dlogits = dloss[r] · (probs − onehot(label)); ignored rows get 0. Thread per element.
extern "C" __global__ void softmax_xent_backward_f32(float *dlogits, const float *probs, const int *labels, const float *dloss,
                                                     int rows, int c, int ignore_index) {
  GRID_STRIDE(e, rows * c) {
    const int r = e / c, k = e % c;
    const int label = labels[r];
    dlogits[e] = (label == ignore_index || label < 0 || label >= c) ? 0.f : dloss[r] * (probs[e] - (k == label ? 1.f : 0.f));
  }
}
