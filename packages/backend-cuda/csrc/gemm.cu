// The backend's own SGEMM, used when cuBLAS is not found (and for matmulBiasAct's fused epilogue
// in that case): out[b] ← act(alpha · A[b] @ B[b] + beta · out[b] + bias). Operands are addressed
// through their strides, so row- and column-major A and B (the contract's two layouts) need no
// copy. A 64×64 tile of out per block of 256 threads, each thread 4×4 outputs, K in steps of 16
// through shared memory.
#include "common.cuh"

enum { ACT_NONE, ACT_RELU, ACT_GELU, ACT_TANH };  // must match ACTIVATION_CODES in src/kernels.ts

struct Gemm {
  const float *a;
  const float *b;
  float *c;
  const float *bias;  // null: no bias
  long long a_batch, b_batch, c_batch;  // element strides between batch entries (0 broadcasts)
  int a_row, a_col, b_row, b_col;       // element strides of A's (m, k) and B's (k, n)
  int c_row;                            // out is row-major: element (m, n) at m·c_row + n
  int bias_stride;
  int m, n, k;
  float alpha, beta;
  int act;
};

#define TILE 64
#define TK 16

static __device__ __forceinline__ float activate(int act, float v) {
  switch (act) {
    case ACT_RELU: return v > 0.f ? v : 0.f;
    case ACT_GELU: return 0.5f * v * (1.f + erff(v * 0.70710678118654752f));
    case ACT_TANH: return tanhf(v);
    default: return v;
  }
}

extern "C" __global__ void sgemm_f32(Gemm g) {
  // one float of padding per row: the k-inner loads store down a column without bank conflicts
  __shared__ float as[TK][TILE + 1];
  __shared__ float bs[TK][TILE + 1];
  const int batch = blockIdx.z;
  const float *A = g.a + batch * g.a_batch;
  const float *B = g.b + batch * g.b_batch;
  float *C = g.c + batch * g.c_batch;
  const int m0 = blockIdx.y * TILE;
  const int n0 = blockIdx.x * TILE;
  const int tx = threadIdx.x % 16;  // output columns n0 + tx + 16·j
  const int ty = threadIdx.x / 16;  // output rows    m0 + ty + 16·i
  float acc[4][4];
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) acc[i][j] = 0.f;
  for (int k0 = 0; k0 < g.k; k0 += TK) {
    // 1024 elements of each tile, 4 per thread; out-of-range elements load as 0. Consecutive
    // threads walk the operand's unit-stride dim (k for row-major A or a transposed B), so the
    // loads coalesce for both of the contract's layouts.
    const bool a_k_inner = g.a_col == 1, b_k_inner = g.b_row == 1 && g.b_col != 1;
    for (int l = 0; l < 4; l++) {
      const int e = threadIdx.x + 256 * l;
      const int ak = a_k_inner ? e % TK : e / TILE, am = a_k_inner ? e / TK : e % TILE;
      const int bk = b_k_inner ? e % TK : e / TILE, bn = b_k_inner ? e / TK : e % TILE;
      const int gm = m0 + am, gka = k0 + ak, gn = n0 + bn, gkb = k0 + bk;
      as[ak][am] = (gm < g.m && gka < g.k) ? A[(long long)gm * g.a_row + (long long)gka * g.a_col] : 0.f;
      bs[bk][bn] = (gn < g.n && gkb < g.k) ? B[(long long)gkb * g.b_row + (long long)gn * g.b_col] : 0.f;
    }
    __syncthreads();
    for (int kk = 0; kk < TK; kk++) {
      float ar[4], br[4];
      for (int i = 0; i < 4; i++) ar[i] = as[kk][ty + 16 * i];
      for (int j = 0; j < 4; j++) br[j] = bs[kk][tx + 16 * j];
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] += ar[i] * br[j];
    }
    __syncthreads();
  }
  for (int i = 0; i < 4; i++) {
    const int gm = m0 + ty + 16 * i;
    if (gm >= g.m) continue;
    for (int j = 0; j < 4; j++) {
      const int gn = n0 + tx + 16 * j;
      if (gn >= g.n) continue;
      float *p = C + (long long)gm * g.c_row + gn;
      // beta = 0 never reads out, so NaN there is ignored (the BLAS rule)
      float v = g.alpha * acc[i][j] + (g.beta != 0.f ? g.beta * *p : 0.f);
      if (g.bias) v += g.bias[(long long)gn * g.bias_stride];
      *p = activate(g.act, v);
    }
  }
}

// After a cuBLAS product: out[i] ← act(out[i] + bias[(i mod n)·stride]) over a contiguous out.
extern "C" __global__ void bias_act_f32(float *out, const float *bias, int total, int n, int bias_stride, int act) {
  GRID_STRIDE(i, total) {
    out[i] = activate(act, out[i] + bias[(long long)(i % n) * bias_stride]);
  }
}
