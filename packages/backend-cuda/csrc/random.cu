// Counter-based random samples, bit-identical to the cpu backend (see rng/philox.ts of
// @edora/tensor): element i uses counter offset + i, key seed; u = (word >> 8)·2⁻²⁴. The
// distributions are computed in double with explicit round-to-nearest operations, so nvcc's
// multiply-add contraction cannot change a bit relative to the cpu's float64 arithmetic.
#include "common.cuh"

enum { DIST_UNIFORM, DIST_NORMAL, DIST_BERNOULLI };  // must match DIST_CODES in src/kernels.ts

static __device__ __forceinline__ void philox(unsigned c0, unsigned c1, unsigned k0, unsigned k1, unsigned &o0, unsigned &o1) {
  unsigned x0 = c0, x1 = c1, x2 = 0, x3 = 0;
  for (int round = 0; round < 10; round++) {
    const unsigned lo0 = 0xd2511f53u * x0, hi0 = __umulhi(0xd2511f53u, x0);
    const unsigned lo1 = 0xcd9e8d57u * x2, hi1 = __umulhi(0xcd9e8d57u, x2);
    x0 = hi1 ^ x1 ^ k0;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ k1;
    x3 = lo0;
    k0 += 0x9e3779b9u;
    k1 += 0xbb67ae85u;
  }
  o0 = x0;
  o1 = x1;
}

// out is walked in logical row-major order through the Map (operand 0), counter = offset + i.
// a, b: low/span (uniform), mean/std (normal), p (bernoulli).
extern "C" __global__ void random_f32(Map m, float *out, unsigned long long seed, unsigned long long offset, int dist,
                                      double a, double b) {
  const unsigned k0 = (unsigned)seed, k1 = (unsigned)(seed >> 32);
  GRID_STRIDE(i, m.n) {
    int off[1];
    map_offsets<1>(m, i, off);
    const unsigned long long c = offset + (unsigned long long)i;
    unsigned w0, w1;
    philox((unsigned)c, (unsigned)(c >> 32), k0, k1, w0, w1);
    const double u0 = (double)(w0 >> 8) * (1.0 / 16777216.0);
    double v;
    if (dist == DIST_UNIFORM) {
      v = __dadd_rn(a, __dmul_rn(b, u0));
    } else if (dist == DIST_BERNOULLI) {
      v = u0 < a ? 1.0 : 0.0;
    } else {
      const double u1 = (double)(w1 >> 8) * (1.0 / 16777216.0);
      // the cpu rounds the unit sample to float32 before scaling
      const float r = (float)(sqrt(-2.0 * log(1.0 - u0)) * cos(6.283185307179586 * u1));
      v = __dadd_rn(a, __dmul_rn(b, (double)r));
    }
    out[off[0]] = (float)v;
  }
}
