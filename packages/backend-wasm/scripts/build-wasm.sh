#!/bin/sh
# Builds csrc/*.c into src/generated/kernels-wasm.ts (the module as base64, so browsers and Node
# load it without fs). Reproducible: fixed flags, no debug info, no paths in the output; the
# test "build is reproducible" rebuilds and compares bytes when clang and wasm-ld are present.
#
# Needs: clang (>= 14) with the wasm32 target and wasm-ld (Debian: apt-get install clang lld).
# Usage: sh scripts/build-wasm.sh [out.wasm]   (default: build into the generated module)
set -eu
cd "$(dirname "$0")/.."
CLANG="${CLANG:-clang}"
OBJDUMP="${OBJDUMP:-llvm-objdump}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
FLAGS="--target=wasm32 -O3 -msimd128 -matomics -mbulk-memory -nostdlib -ffreestanding -fno-ident
  -Wall -Wextra -Werror -Wl,--no-entry -Wl,--import-memory -Wl,--shared-memory
  -Wl,--max-memory=4294967296 -Wl,--export=__heap_base"
# shared imported memory (threads share it), SIMD128, atomics for the chunk counter; no libc.
# shellcheck disable=SC2086
"$CLANG" $FLAGS -Wl,--strip-all -o "$tmp/kernels.wasm" csrc/*.c
# Every thread runs over one memory, so the C shadow stack (a region of it addressed through the
# __stack_pointer global) would be shared: the kernels must never touch it, nor call imports.
if command -v "$OBJDUMP" >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  "$CLANG" $FLAGS -o "$tmp/named.wasm" csrc/*.c
  if "$OBJDUMP" -d "$tmp/named.wasm" | grep -E "global\.(get|set)|call_indirect" >/dev/null; then
    echo "build-wasm: the kernels use the C stack or globals; keep locals out of memory" >&2
    exit 1
  fi
fi
out="${1:-}"
if [ -n "$out" ]; then
  cp "$tmp/kernels.wasm" "$out"
  exit 0
fi
node scripts/embed-wasm.mjs "$tmp/kernels.wasm" src/generated/kernels-wasm.ts
