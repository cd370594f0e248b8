// Elementwise training kernels: GELU backward and the AdamW step.
#include "common.cuh"

// dx = dy · (Φ(x) + x φ(x))
extern "C" __global__ void gelu_backward_f32(float *dx, const float *x, const float *dy, int n) {
  GRID_STRIDE(i, n) {
    const float v = x[i];
    dx[i] = dy[i] * (0.5f * (1.f + erff(v * 0.70710678118654752f)) + v * 0.3989422804014327f * expf(-0.5f * v * v));
  }
}

// PyTorch AdamW: p ← p − lr·wd·p; m, v moments; p ← p − step_size · m / (√v / bc2_sqrt + eps).
// step_size = lr / (1 − β1^t) and bc2_sqrt = √(1 − β2^t) are computed once on the host.
extern "C" __global__ void adamw_f32(float *param, const float *grad, float *m, float *v, int n, float lr, float beta1,
                                     float beta2, float eps, float weight_decay, float step_size, float bc2_sqrt) {
  GRID_STRIDE(i, n) {
    const float g = grad[i];
    float p = param[i];
    p -= lr * weight_decay * p;
    const float mi = beta1 * m[i] + (1.f - beta1) * g;
    const float vi = beta2 * v[i] + (1.f - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    param[i] = p - (step_size * mi) / (sqrtf(vi) / bc2_sqrt + eps);
  }
}

// Stops the kernel with a device-side trap: the stream's next synchronization reports a launch
// failure. Only the fault tests launch it (CudaBackend.launchTrapForTest), on the GPU and the stand-in.
extern "C" __global__ void edora_trap(int *flag) {
  if (threadIdx.x == 0 && blockIdx.x == 0) {
    *flag = 1;
    __trap();
  }
}
