#!/bin/sh
# Compiles csrc/kernels.cu with nvcc into src/generated/kernels-cuda.ts: PTX for compute_75 (the
# driver JIT-compiles it for any GPU from Turing on) and an sm_90 cubin (Hopper loads it without
# JIT). Reproducible: fixed flags, no debug info, no paths in the output; the test "kernels are
# reproducible" rebuilds and compares when nvcc is present.
#
# Needs: nvcc (CUDA 13.0; no GPU needed). Usage: sh scripts/build-kernels.sh [out-dir]
#   with out-dir: writes kernels.ptx and kernels.sm_90.cubin there instead of the generated module.
set -eu
cd "$(dirname "$0")/.."
NVCC="${NVCC:-nvcc}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
FLAGS="-std=c++17 -O3 -Xptxas=-warn-spills"
# shellcheck disable=SC2086
"$NVCC" $FLAGS -ptx -arch=compute_75 -o "$tmp/kernels.ptx" csrc/kernels.cu
# shellcheck disable=SC2086
"$NVCC" $FLAGS -cubin -arch=sm_90 -o "$tmp/kernels.sm_90.cubin" csrc/kernels.cu
out="${1:-}"
if [ -n "$out" ]; then
  mkdir -p "$out"
  cp "$tmp/kernels.ptx" "$tmp/kernels.sm_90.cubin" "$out/"
  exit 0
fi
node scripts/embed-kernels.mjs "$tmp/kernels.ptx" "$tmp/kernels.sm_90.cubin" src/generated/kernels-cuda.ts
