#!/usr/bin/env bash
# Prepares what bench/gpu-run.sh needs on a GPU machine that has no Node.js, no node_modules and
# no network: everything goes into <repo>/.gpu-carry (git-ignored, under the device tool's 64 MiB
# carry limit, about 33 MB):
#   node.xz                     this machine's node binary, xz-compressed (~24 MB)
#   app/*.mjs                   esbuild bundles of the suites and benchmarks, workspace packages
#                               inlined (vitest aliased to bench/mini-vitest.ts)
#   app/node_modules/koffi      koffi with its linux-x64 prebuilt addon
#   app/node_modules/webgpu     Dawn for Node, its linux-x64 addon xz-compressed (~20 MB raw)
#   gl/*.deb                    the Vulkan/EGL loader packages (the device README's list), unpacked
#                               there only if the machine lacks libvulkan
# Run here, from anywhere: bash packages/backend-cuda/bench/gpu-prepare.sh
# The bundles are rebuilt every time; the compressed binaries and the .debs only when missing
# (compressing takes minutes on two busy cores): delete .gpu-carry to start over.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
carry="$root/.gpu-carry"
rm -rf "$carry/app"/*.mjs
mkdir -p "$carry/app/node_modules" "$carry/gl" "$carry/entries"
esbuild="$root/node_modules/.bin/esbuild"
mini="$root/packages/backend-cuda/bench/mini-vitest.ts"

bundle() { # <entry.ts> <out.mjs>
  "$esbuild" "$1" --bundle --platform=node --format=esm --target=node20 --conditions=@edora/source \
    --alias:vitest="$mini" --ignore-annotations --external:koffi --external:webgpu --log-level=warning \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" \
    --outfile="$carry/app/$2"
}

cat >"$carry/entries/webgpu-conformance.ts" <<TS
// what packages/backend-webgpu/bench/gpu-run.sh runs under vitest, less the subgroup-size test
// (it spawns a child process through tsx, which does not travel)
import '$root/packages/backend-webgpu/test/conformance.test.ts';
import '$root/packages/backend-webgpu/test/gemm.test.ts';
import '$root/packages/backend-webgpu/test/index-faults.test.ts';
import { run } from '$mini';
process.exitCode = await run();
TS
bundle packages/backend-cuda/bench/gpu-conformance.ts conformance-cuda.mjs
bundle packages/backend-cuda/bench/index.ts bench-gemm-cuda.mjs
bundle benchmarks/bench/gpu-step.ts gpu-step.mjs
bundle "$carry/entries/webgpu-conformance.ts" conformance-webgpu.mjs
bundle packages/backend-webgpu/bench/index.ts bench-webgpu.mjs
rm -rf "$carry/entries"

# the two native packages, dereferenced out of pnpm's store
koffi="$(readlink -f packages/backend-cuda/node_modules/koffi)"
rm -rf "$carry/app/node_modules/koffi" "$carry/app/node_modules/@koromix"
cp -rL "$koffi" "$carry/app/node_modules/koffi"
rm -rf "$carry/app/node_modules/koffi/vendor" "$carry/app/node_modules/koffi/doc"
mkdir -p "$carry/app/node_modules/@koromix"
cp -rL "$(dirname "$koffi")/../../@koromix+koffi-linux-x64@"*/node_modules/@koromix/koffi-linux-x64 "$carry/app/node_modules/@koromix/" 2>/dev/null ||
  cp -rL "$(readlink -f "$(dirname "$koffi")/@koromix/koffi-linux-x64")" "$carry/app/node_modules/@koromix/"
rm -rf "$carry/app/node_modules/@koromix/koffi-linux-x64/musl_x64"
webgpu="$(readlink -f packages/backend-webgpu/node_modules/webgpu)"
# only the xz of the linux addon travels (gpu-run.sh unpacks it there)
rm -rf "$carry/app/node_modules/webgpu/dist"/*.dll "$carry/app/node_modules/webgpu/dist/linux-x64.dawn.node"
mkdir -p "$carry/app/node_modules/webgpu"
cp -L "$webgpu/package.json" "$webgpu/index.js" "$carry/app/node_modules/webgpu/"
mkdir -p "$carry/app/node_modules/webgpu/dist"
for f in "$webgpu"/dist/*; do
  case "$f" in *.dawn.node | *.dll) ;; *) cp -rL "$f" "$carry/app/node_modules/webgpu/dist/" ;; esac
done
dawn_xz="$carry/app/node_modules/webgpu/dist/linux-x64.dawn.node.xz"
[ -f "$dawn_xz" ] || xz -T2 -6 -c "$webgpu/dist/linux-x64.dawn.node" >"$dawn_xz"
[ -f "$carry/node.xz" ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" >"$carry/node.xz"

# Vulkan/EGL loaders for Dawn, as the device README lists them (skipped without apt-get)
if command -v apt-get >/dev/null 2>&1 && ! ls "$carry"/gl/libvulkan1_*.deb >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  # shellcheck disable=SC2086
  (apt-get $o update -qq && cd "$carry/gl" && apt-get $o download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2) ||
    echo "gpu-prepare: could not download the Vulkan loaders; gpu-run.sh runs the webgpu part only if the machine has libvulkan"
fi
du -sh "$carry" "$carry"/node.xz "$carry"/gl "$carry"/app/*.mjs "$carry"/app/node_modules/* "$carry"/app/node_modules/@koromix/*
