// reduce along one axis: out[j] ← fn over k < len of x[xoff(j) + k·xstride], where the Map walks
// the output elements (operand 0 = out, 1 = x with the reduced axis taken out). One block per
// output element; its threads stride through the axis and combine in shared memory.
#include "common.cuh"

enum { R_SUM, R_MAX, R_ARGMAX };  // must match REDUCE_CODES in src/kernels.ts

extern "C" __global__ void reduce_f32(Map m, void *out, const float *x, int len, int xstride, int fn) {
  __shared__ float value[BLOCK_SCRATCH];
  __shared__ int index[BLOCK_SCRATCH];
  for (int j = blockIdx.x; j < m.n; j += gridDim.x) {
    int off[2];
    map_offsets<2>(m, j, off);
    const float *row = x + off[1];
    const int t = threadIdx.x;
    if (fn == R_SUM) {
      // each thread sums its strided share in float, the block tree adds the partial sums
      float s = 0.f;
      for (int k = t; k < len; k += blockDim.x) s += row[(long long)k * xstride];
      const float total = block_sum(s, value);
      if (t == 0) ((float *)out)[off[0]] = total;
    } else {
      // first maximum wins, NaN beats everything (the cpu backend's order)
      float best = -INFINITY;
      int bi = len;  // "none yet": loses every tie
      for (int k = t; k < len; k += blockDim.x) {
        const float v = row[(long long)k * xstride];
        if (bi == len || v > best || (v != v && best == best)) {
          best = v;
          bi = k;
        }
      }
      value[t] = best;
      index[t] = bi;
      __syncthreads();
      for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) {
          const float ov = value[t + s];
          const int oi = index[t + s];
          const float cv = value[t];
          const int ci = index[t];
          // the other half wins if it has an element and is larger, or NaN over a number, or
          // equal with an earlier index (ties keep the first maximum)
          const bool take = oi != len && (ci == len || ov > cv || (ov != ov && cv == cv) ||
                                          ((ov == cv || (ov != ov && cv != cv)) && oi < ci));
          if (take) {
            value[t] = ov;
            index[t] = oi;
          }
        }
        __syncthreads();
      }
      if (t == 0) {
        if (fn == R_MAX) ((float *)out)[off[0]] = len > 0 ? value[0] : -INFINITY;
        else ((int *)out)[off[0]] = len > 0 ? index[0] : 0;
      }
      __syncthreads();
    }
  }
}
