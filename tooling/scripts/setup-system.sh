#!/usr/bin/env bash
# Installs the system packages the test suite uses; safe to run again (skips what is present).
# - Mesa's lavapipe Vulkan driver from bookworm-backports, so Dawn (npm `webgpu`) runs without a GPU
#   (tooling/scripts/setup-webgpu.sh does that part);
# - clang and lld, so the wasm kernels can be rebuilt and compared with the committed binary;
# - g++, which builds the CUDA backend's stand-in driver (its tests run the kernels on the CPU);
# - Debian's chromium, which tests/browser drives headless (Playwright never downloads a browser);
# - OpenBLAS (libopenblas0-pthread), which backend-wasm's Node entry calls for its products;
# - Debian's redis-server (7.x), which the CLI's queue-mode tests start on a free port of their own.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sudo_cmd=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi

if [ -f "$here/setup-webgpu.sh" ]; then bash "$here/setup-webgpu.sh"; fi

if ! command -v clang >/dev/null 2>&1 || ! command -v wasm-ld >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq clang lld >/dev/null || echo "setup-system: could not install clang/lld; the wasm rebuild check will skip with its reason"
  fi
fi

if ! command -v g++ >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq g++ >/dev/null || echo "setup-system: could not install g++; the cuda stand-in tests will skip with their reason"
  fi
fi
# the stand-in driver itself (idempotent; vitest's global setup would build it too)
if command -v g++ >/dev/null 2>&1 && [ -f "$here/../../packages/backend-cuda/scripts/build-standin.sh" ]; then
  sh "$here/../../packages/backend-cuda/scripts/build-standin.sh"
fi

if [ ! -x /usr/bin/chromium ]; then
  if command -v apt-get >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null || echo "setup-system: could not install chromium; the browser tests will skip with their reason"
  else
    echo "setup-system: no apt-get here; install Chromium at /usr/bin/chromium (or set EDORA_CHROMIUM) for the browser tests"
  fi
fi

if [ ! -e /usr/lib/x86_64-linux-gnu/libopenblas.so.0 ] && [ ! -e /usr/lib/aarch64-linux-gnu/libopenblas.so.0 ] && ! ldconfig -p 2>/dev/null | grep -q 'libopenblas\.so\.0'; then
  if command -v apt-get >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq libopenblas0-pthread >/dev/null || echo "setup-system: could not install libopenblas0-pthread; backend-wasm's BLAS tests need it"
  else
    echo "setup-system: no apt-get here; install OpenBLAS (libopenblas.so.0) for backend-wasm's BLAS products"
  fi
fi

if ! command -v redis-server >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    $sudo_cmd apt-get update -qq || true
    # the package's service is not started: the tests run their own instance
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends redis-server >/dev/null || echo "setup-system: could not install redis-server; the queue-mode tests will skip with their reason"
  else
    echo "setup-system: no apt-get here; install redis-server (Redis >= 6) for the queue-mode tests"
  fi
fi
