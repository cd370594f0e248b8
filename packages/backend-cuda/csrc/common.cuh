// Shared definitions of the kernels. nvcc compiles these sources to PTX (compute_75) and an sm_90
// cubin; the CI stand-in driver (standin/) compiles the very same files as C++ through
// standin/host-shim.h, which supplies threadIdx, __syncthreads and the few intrinsics used here.
#pragma once
#ifndef __CUDACC__
#include "../standin/host-shim.h"
#endif

// Must equal MAX_RANK in src/launch.ts: the TS side collapses views to at most this many dims.
#define EDORA_MAX_RANK 8
#define EDORA_MAX_OPERANDS 4

// An elementwise iteration space: n elements of a rank-`rank` shape, and for each operand
// (0 = the output) its element strides and offset. Dims are collapsed on the host first, so a
// dense op arrives as rank 1.
struct Map {
  int rank;
  int n;
  int shape[EDORA_MAX_RANK];
  int stride[EDORA_MAX_OPERANDS][EDORA_MAX_RANK];
  int offset[EDORA_MAX_OPERANDS];
};

// Element offsets of linear index i for the first `ops` operands.
template <int OPS>
static __device__ __forceinline__ void map_offsets(const Map &m, int i, int (&off)[OPS]) {
  for (int k = 0; k < OPS; k++) off[k] = m.offset[k];
  for (int d = m.rank - 1; d >= 0; d--) {
    const int s = m.shape[d];
    const int c = i % s;
    i /= s;
    for (int k = 0; k < OPS; k++) off[k] += c * m.stride[k][d];
  }
}

#define GRID_STRIDE(i, n) for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += blockDim.x * gridDim.x)

// Block-wide tree reductions through shared memory (blockDim.x a power of two, ≤ 1024). Every
// thread of the block must call them; the result is returned to every thread.
static __device__ __forceinline__ float block_sum(float v, float *scratch) {
  scratch[threadIdx.x] = v;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) scratch[threadIdx.x] += scratch[threadIdx.x + s];
    __syncthreads();
  }
  const float r = scratch[0];
  __syncthreads();
  return r;
}

static __device__ __forceinline__ float block_max(float v, float *scratch) {
  scratch[threadIdx.x] = v;
  __syncthreads();
  for (int s = blockDim.x / 2; s > 0; s >>= 1) {
    if ((int)threadIdx.x < s) scratch[threadIdx.x] = fmaxf(scratch[threadIdx.x], scratch[threadIdx.x + s]);
    __syncthreads();
  }
  const float r = scratch[0];
  __syncthreads();
  return r;
}

#define BLOCK_SCRATCH 1024
