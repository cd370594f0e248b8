// gatherRows / scatterAddRows over contiguous rows of d elements (the TS side passes strides of
// row starts). A row id outside [0, rows) is not touched; the first one met is recorded in
// fault[0..2] (op code, id, rows) for the host to raise at the next sync, as the cpu backend throws.
#include "common.cuh"

enum { FAULT_NONE, FAULT_GATHER, FAULT_SCATTER };  // must match src/fault.ts

static __device__ __forceinline__ void record_fault(int *fault, int code, int id, int rows) {
  if (atomicCAS(fault, FAULT_NONE, code) == FAULT_NONE) {
    fault[1] = id;
    fault[2] = rows;
  }
}

// out[i, :] ← table[idx[i], :]; thread per element of out.
extern "C" __global__ void gather_rows_f32(float *out, const float *table, const int *idx, int n, int d, int rows,
                                           int table_row, int out_row, int idx_stride, int *fault) {
  GRID_STRIDE(e, n * d) {
    const int i = e / d, c = e % d;
    const int r = idx[(long long)i * idx_stride];
    if (r < 0 || r >= rows) {
      if (c == 0) record_fault(fault, FAULT_GATHER, r, rows);
      continue;
    }
    out[(long long)i * out_row + c] = table[(long long)r * table_row + c];
  }
}

// out[idx[i], :] += src[i, :]; repeated ids accumulate through atomicAdd (order-dependent rounding).
extern "C" __global__ void scatter_add_rows_f32(float *out, const float *src, const int *idx, int n, int d, int rows,
                                                int out_row, int src_row, int idx_stride, int *fault) {
  GRID_STRIDE(e, n * d) {
    const int i = e / d, c = e % d;
    const int r = idx[(long long)i * idx_stride];
    if (r < 0 || r >= rows) {
      if (c == 0) record_fault(fault, FAULT_SCATTER, r, rows);
      continue;
    }
    atomicAdd(out + (long long)r * out_row + c, src[(long long)i * src_row + c]);
  }
}
