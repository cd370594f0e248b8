#!/usr/bin/env bash
# One prepared run for a machine with a real GPU (the H200 lent to some sessions for a few
# minutes): the conformance suite (with subgroup reductions on and off), the subgroup and
# out-of-range-id tests, the GEMM benchmark and the reductions benchmark with subgroups on and
# off, through Dawn's Vulkan backend; results under ${OUT:-./gpu-run}. Run from the repository
# root after `pnpm install`:
#   bash packages/backend-webgpu/bench/gpu-run.sh
# BENCH_PEAK_GFLOPS defaults to the H200's fp32 (non-tensor-core) peak, 67,000 GFLOP/s (SXM).
set -uo pipefail
out="${OUT:-./gpu-run}"
mkdir -p "$out"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
{
  echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv 2>&1
  echo "== vulkan ICDs"; ls /usr/share/vulkan/icd.d/ /etc/vulkan/icd.d/ 2>&1
  echo "== node"; node --version
} >"$out/system.txt" 2>&1
# conformance on the first adapter Dawn offers (the NVIDIA one when its Vulkan ICD is installed)
timeout 300 pnpm exec vitest run --project backend-webgpu test/conformance.test.ts test/gemm.test.ts \
  test/subgroups.test.ts test/index-faults.test.ts \
  >"$out/conformance.txt" 2>&1
echo "conformance exit $?" >>"$out/conformance.txt"
BENCH_SKIP_CPU=1 BENCH_PEAK_GFLOPS="${BENCH_PEAK_GFLOPS:-67000}" BENCH_DAWN="${BENCH_DAWN:-backend=vulkan}" \
  timeout 240 pnpm --filter @edora/backend-webgpu bench >"$out/bench.md" 2>"$out/bench.err"
echo "bench exit $?" >>"$out/bench.err"
tail -n 5 "$out/conformance.txt"; cat "$out/bench.md"   # GEMM table, then reductions: subgroups ms | tree ms
