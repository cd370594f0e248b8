#!/usr/bin/env bash
# One prepared run for a machine with an NVIDIA GPU and no Node.js (the H200 lent to some
# sessions for a few minutes; its image has PyTorch, a driver and cuBLAS in the nvidia-cublas wheel).
# First, here: bash packages/backend-cuda/bench/gpu-prepare.sh   (fills .gpu-carry, ~33 MB)
# Then on the GPU machine, from the repository root, with .gpu-carry carried along:
#   bash packages/backend-cuda/bench/gpu-run.sh [cuda|webgpu|all]     (default all; results in $OUT)
# Device tool call (one call for both parts; a second call can rerun one part):
#   run(command: "bash packages/backend-cuda/bench/gpu-run.sh all", carry: [".gpu-carry"], timeout_s: 590)
#
# cuda part (≈5 min): the conformance suite on the GPU (cuBLAS and own SGEMM, image check, a
#   trapped kernel as the last test), GEMM GFLOP/s at the RoBERTa shapes as a fraction of the fp32
#   peak (BENCH_PEAK_GFLOPS, default 67,000), the roberta-base EDoRA step at 32×128 on cuda
#   (EDoRA init of the 48 targets, tokens/s, peak and live memory), and the same step in the
#   machine's PyTorch (benchmarks/bench/tiny_step_torch.py, device cuda).
# webgpu part (≈4 min): the webgpu conformance, GEMM and index-fault tests and the GEMM/reductions bench (what
#   packages/backend-webgpu/bench/gpu-run.sh runs, bundled since the machine has no pnpm), and
#   the same roberta-base step + EDoRA init on webgpu, through Dawn's Vulkan backend.
# Every step has its own timeout, so one hang cannot eat the device budget.
set -uo pipefail
part="${1:-all}"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
carry="$root/.gpu-carry"
out="${OUT:-$root/gpu-run}"
mkdir -p "$out"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
[ -d "$carry/app" ] || { echo "gpu-run: $carry missing: run bench/gpu-prepare.sh first and carry .gpu-carry" >&2; exit 2; }

# xz, or Python's lzma where the image has no xz
unxz_to() { # <in.xz> <out>
  if command -v xz >/dev/null 2>&1; then xz -dc "$1" >"$2"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"; fi
}
# node from the carried binary
bin="$(mktemp -d)"
unxz_to "$carry/node.xz" "$bin/node" && chmod +x "$bin/node"
export PATH="$bin:$PATH"
app="$carry/app"
dawn="$app/node_modules/webgpu/dist/linux-x64.dawn.node"
[ -f "$dawn" ] || unxz_to "$dawn.xz" "$dawn"

# cuBLAS: the Python nvidia-cublas wheel is found by the backend itself through python3
{
  echo "== nvidia-smi"; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1
  echo "== node"; node --version
  echo "== python/torch"; python3 -c 'import torch; print(torch.__version__, torch.version.cuda, torch.cuda.get_device_name())' 2>&1
  echo "== cublas wheel"; python3 -c 'import nvidia.cublas, os; print(os.listdir(list(nvidia.cublas.__path__)[0] + "/lib"))' 2>&1
} >"$out/system.txt" 2>&1
cat "$out/system.txt"

roberta_torch='{"device":"cuda","threads":16,"batch":32,"seq":128,"vocab":50265,"hidden":768,"layers":12,"heads":12,"ffn":3072,"eps":1e-5,"dropout":0.1,"r":16,"alpha":16,"labels":2,"steps":20}'

if [ "$part" = cuda ] || [ "$part" = all ]; then
  timeout 150 node "$app/conformance-cuda.mjs" >"$out/conformance-cuda.txt" 2>&1
  echo "conformance exit $?" >>"$out/conformance-cuda.txt"
  grep -E "^device:|passed, " "$out/conformance-cuda.txt"; grep -E "^  ×" "$out/conformance-cuda.txt" | head -20
  BENCH_PEAK_GFLOPS="${BENCH_PEAK_GFLOPS:-67000}" BENCH_TF32=1 timeout 90 node "$app/bench-gemm-cuda.mjs" >"$out/gemm-cuda.md" 2>&1
  echo "gemm exit $?" >>"$out/gemm-cuda.md"; cat "$out/gemm-cuda.md"
  STEPS=20 timeout 150 node "$app/gpu-step.mjs" cuda >"$out/step-cuda.md" 2>&1
  echo "step exit $?" >>"$out/step-cuda.md"; tail -n 4 "$out/step-cuda.md"
  timeout 90 python3 "$root/benchmarks/bench/tiny_step_torch.py" "$roberta_torch" >"$out/step-torch.json" 2>&1
  echo "torch exit $?" >>"$out/step-torch.json"; cat "$out/step-torch.json"
fi

if [ "$part" = webgpu ] || [ "$part" = all ]; then
  # Dawn needs the Vulkan loader; unpack the carried one only if the machine has none (device README)
  if ! ldconfig -p | grep -q libvulkan.so.1; then
    for f in "$carry"/gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  export VK_DRIVER_FILES="${VK_DRIVER_FILES:-/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json}"
  [ -f "$VK_DRIVER_FILES" ] || unset VK_DRIVER_FILES
  timeout 120 node "$app/conformance-webgpu.mjs" >"$out/conformance-webgpu.txt" 2>&1
  echo "conformance exit $?" >>"$out/conformance-webgpu.txt"
  grep -E "passed, " "$out/conformance-webgpu.txt"; grep -E "^  ×" "$out/conformance-webgpu.txt" | head -20
  BENCH_SKIP_CPU=1 BENCH_PEAK_GFLOPS="${BENCH_PEAK_GFLOPS:-67000}" BENCH_DAWN="${BENCH_DAWN:-backend=vulkan}" \
    timeout 90 node "$app/bench-webgpu.mjs" >"$out/bench-webgpu.md" 2>&1
  echo "bench exit $?" >>"$out/bench-webgpu.md"; cat "$out/bench-webgpu.md"
  STEPS=10 BENCH_DAWN="${BENCH_DAWN:-backend=vulkan}" timeout 120 node "$app/gpu-step.mjs" webgpu >"$out/step-webgpu.md" 2>&1
  echo "step exit $?" >>"$out/step-webgpu.md"; tail -n 4 "$out/step-webgpu.md"
fi
