// CUDA built-ins for compiling csrc/*.cu as host C++ inside the stand-in driver (CI has no GPU).
//
// A launch runs its blocks one after another; the threads of a block are fibers (ucontext) on one
// host thread, switched at every __syncthreads, so barrier semantics, shared memory and the
// kernels' arithmetic are exercised honestly. What this cannot check: PTX itself, warp-level
// behaviour (no lockstep, no shuffles), real concurrency of atomics, and speed.
#pragma once
#include <math.h>
#include <cstdint>
#include <cstring>

struct dim3 {
  unsigned x = 1, y = 1, z = 1;
};

namespace standin {
struct Fiber;
// The fiber running now and the launch geometry (one launch at a time: the stand-in is serial).
extern Fiber *current;
extern dim3 grid_dim, block_dim, block_idx;
const dim3 &thread_idx();
void sync_threads();
[[noreturn]] void trap();
}  // namespace standin

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define threadIdx (standin::thread_idx())
#define blockIdx (standin::block_idx)
#define blockDim (standin::block_dim)
#define gridDim (standin::grid_dim)

inline void __syncthreads() { standin::sync_threads(); }
[[noreturn]] inline void __trap() { standin::trap(); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((uint64_t)a * b) >> 32); }
inline double __dadd_rn(double a, double b) { return a + b; }
inline double __dmul_rn(double a, double b) { return a * b; }
// Fibers are never preempted, so a read-modify-write is atomic with respect to the other threads.
inline float atomicAdd(float *p, float v) {
  const float old = *p;
  *p = old + v;
  return old;
}
inline int atomicCAS(int *p, int compare, int value) {
  const int old = *p;
  if (old == compare) *p = value;
  return old;
}
