// Tier-0 elementwise ops over strided views: fill, copy, cast, unary, binary, where.
#include "common.cuh"

// Codes must match UNARY_CODES / BINARY_CODES in src/kernels.ts.
enum { U_NEG, U_ABS, U_SIGN, U_EXP, U_LOG, U_SQRT, U_RSQRT, U_RECIPROCAL, U_SQUARE, U_TANH, U_ERF, U_SIGMOID, U_RELU, U_GELU };
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_POW, B_MAX, B_MIN, B_EQ, B_NE, B_LT, B_LE, B_GT, B_GE };

// 4-byte element stores of fill and copy: float32 and int32 alike move as bits.
extern "C" __global__ void fill_b32(Map m, unsigned *out, unsigned bits) {
  GRID_STRIDE(i, m.n) {
    int off[1];
    map_offsets<1>(m, i, off);
    out[off[0]] = bits;
  }
}

extern "C" __global__ void copy_b32(Map m, unsigned *out, const unsigned *x) {
  GRID_STRIDE(i, m.n) {
    int off[2];
    map_offsets<2>(m, i, off);
    out[off[0]] = x[off[1]];
  }
}

// float → int32 truncates toward zero (NaN and out-of-range values are undefined, as in C).
extern "C" __global__ void cast_f32_i32(Map m, int *out, const float *x) {
  GRID_STRIDE(i, m.n) {
    int off[2];
    map_offsets<2>(m, i, off);
    out[off[0]] = (int)x[off[1]];
  }
}

extern "C" __global__ void cast_i32_f32(Map m, float *out, const int *x) {
  GRID_STRIDE(i, m.n) {
    int off[2];
    map_offsets<2>(m, i, off);
    out[off[0]] = (float)x[off[1]];
  }
}

static __device__ __forceinline__ float unary_fn(int fn, float x) {
  switch (fn) {
    case U_NEG: return -x;
    case U_ABS: return fabsf(x);
    case U_SIGN: return x > 0.f ? 1.f : x < 0.f ? -1.f : x == 0.f ? 0.f : x;
    case U_EXP: return expf(x);
    case U_LOG: return logf(x);
    case U_SQRT: return sqrtf(x);
    case U_RSQRT: return 1.f / sqrtf(x);
    case U_RECIPROCAL: return 1.f / x;
    case U_SQUARE: return x * x;
    case U_TANH: return tanhf(x);
    case U_ERF: return erff(x);
    case U_SIGMOID: return x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x));
    case U_RELU: return x > 0.f ? x : 0.f;
    default: return 0.5f * x * (1.f + erff(x * 0.70710678118654752f));  // U_GELU, exact erf form
  }
}

extern "C" __global__ void unary_f32(Map m, float *out, const float *x, int fn) {
  GRID_STRIDE(i, m.n) {
    int off[2];
    map_offsets<2>(m, i, off);
    out[off[0]] = unary_fn(fn, x[off[1]]);
  }
}

static __device__ __forceinline__ float binary_fn(int fn, float a, float b) {
  switch (fn) {
    case B_ADD: return a + b;
    case B_SUB: return a - b;
    case B_MUL: return a * b;
    case B_DIV: return a / b;
    case B_POW: return powf(a, b);
    // NaN propagates, as in PyTorch's maximum/minimum (fmaxf would drop it)
    case B_MAX: return (a != a || b != b) ? a + b : (a > b ? a : b);
    case B_MIN: return (a != a || b != b) ? a + b : (a < b ? a : b);
    case B_EQ: return a == b ? 1.f : 0.f;
    case B_NE: return a != b ? 1.f : 0.f;
    case B_LT: return a < b ? 1.f : 0.f;
    case B_LE: return a <= b ? 1.f : 0.f;
    case B_GT: return a > b ? 1.f : 0.f;
    default: return a >= b ? 1.f : 0.f;  // B_GE
  }
}

extern "C" __global__ void binary_f32(Map m, float *out, const float *a, const float *b, int fn) {
  GRID_STRIDE(i, m.n) {
    int off[3];
    map_offsets<3>(m, i, off);
    out[off[0]] = binary_fn(fn, a[off[1]], b[off[2]]);
  }
}

// int32 arithmetic wraps like the cpu backend's Int32Array stores; division truncates, x/0 = 0.
// Comparisons of int32 operands write their 1/0 into a float32 out (out_f32 = 1), as the core asks.
static __device__ __forceinline__ int binary_i32_fn(int fn, int a, int b) {
  switch (fn) {
    case B_ADD: return (int)((unsigned)a + (unsigned)b);
    case B_SUB: return (int)((unsigned)a - (unsigned)b);
    case B_MUL: return (int)((unsigned)a * (unsigned)b);
    case B_DIV: return b == 0 ? 0 : (b == -1 ? (int)(0u - (unsigned)a) : a / b);
    case B_POW: return (int)pow((double)a, (double)b);
    case B_MAX: return a > b ? a : b;
    case B_MIN: return a < b ? a : b;
    case B_EQ: return a == b;
    case B_NE: return a != b;
    case B_LT: return a < b;
    case B_LE: return a <= b;
    case B_GT: return a > b;
    default: return a >= b;  // B_GE
  }
}

extern "C" __global__ void binary_i32(Map m, int *out, const int *a, const int *b, int fn, int out_f32) {
  GRID_STRIDE(i, m.n) {
    int off[3];
    map_offsets<3>(m, i, off);
    const int r = binary_i32_fn(fn, a[off[1]], b[off[2]]);
    if (out_f32) ((float *)out)[off[0]] = (float)r;
    else out[off[0]] = r;
  }
}

// out ← cond ≠ 0 ? a : b; cond float32 (cond_i32 = 0) or int32, a/b/out 4-byte values of one dtype
// moved as bits.
extern "C" __global__ void where_b32(Map m, unsigned *out, const void *cond, const unsigned *a, const unsigned *b, int cond_i32) {
  GRID_STRIDE(i, m.n) {
    int off[4];
    map_offsets<4>(m, i, off);
    const bool c = cond_i32 ? ((const int *)cond)[off[1]] != 0 : ((const float *)cond)[off[1]] != 0.f;
    out[off[0]] = c ? a[off[2]] : b[off[3]];
  }
}
