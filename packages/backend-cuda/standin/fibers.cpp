// The block scheduler of the stand-in: each thread of a block is a fiber with its own stack;
// __syncthreads switches back to the scheduler, which resumes the next fiber, so every thread of
// the block reaches the barrier before any passes it. Threads that have returned no longer take
// part in barriers (as on Volta and later GPUs).
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "host-shim.h"
#include "standin.h"

namespace standin {

struct Fiber {
  ucontext_t context;
  dim3 tid;
  bool done = false;
  bool trapped = false;
};

Fiber *current = nullptr;
dim3 grid_dim, block_dim, block_idx;

namespace {
constexpr size_t kStackBytes = 256 * 1024;
ucontext_t scheduler;
std::vector<Fiber> fibers;
std::vector<char *> stacks;
const Launch *launching = nullptr;
bool launch_trapped = false;

void fiber_main() {
  launching->body(launching->params);
  current->done = true;
  // returning resumes uc_link, the scheduler
}

// Runs every fiber of the block to its next barrier (or its end), until all have ended.
bool run_block() {
  const unsigned n = block_dim.x * block_dim.y * block_dim.z;
  for (unsigned i = 0; i < n; i++) {
    Fiber &f = fibers[i];
    f.done = false;
    f.tid.x = i % block_dim.x;
    f.tid.y = (i / block_dim.x) % block_dim.y;
    f.tid.z = i / (block_dim.x * block_dim.y);
    getcontext(&f.context);
    f.context.uc_stack.ss_sp = stacks[i];
    f.context.uc_stack.ss_size = kStackBytes;
    f.context.uc_link = &scheduler;
    makecontext(&f.context, fiber_main, 0);
  }
  unsigned live = n;
  while (live > 0) {
    live = 0;
    for (unsigned i = 0; i < n; i++) {
      Fiber &f = fibers[i];
      if (f.done) continue;
      current = &f;
      swapcontext(&scheduler, &f.context);
      if (launch_trapped) return false;
      if (!f.done) live++;
    }
  }
  current = nullptr;
  return true;
}
}  // namespace

const dim3 &thread_idx() { return current->tid; }

void sync_threads() { swapcontext(&current->context, &scheduler); }

void trap() {
  launch_trapped = true;
  // never resumed: the launch is abandoned, as the GPU abandons a trapped grid
  setcontext(&scheduler);
  std::abort();
}

bool run_launch(const Launch &launch) {
  const unsigned n = launch.block.x * launch.block.y * launch.block.z;
  while (fibers.size() < n) {
    fibers.emplace_back();
    stacks.push_back(static_cast<char *>(std::malloc(kStackBytes)));
  }
  launching = &launch;
  launch_trapped = false;
  grid_dim = launch.grid;
  block_dim = launch.block;
  for (unsigned z = 0; z < launch.grid.z; z++) {
    for (unsigned y = 0; y < launch.grid.y; y++) {
      for (unsigned x = 0; x < launch.grid.x; x++) {
        block_idx.x = x;
        block_idx.y = y;
        block_idx.z = z;
        if (!run_block()) return false;
      }
    }
  }
  return true;
}

}  // namespace standin
