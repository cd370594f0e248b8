#!/usr/bin/env bash
# Makes Dawn (npm `webgpu`) work without a GPU on Debian 12: installs Mesa's lavapipe Vulkan driver
# from bookworm-backports (Debian 12's own Mesa is too old for Dawn) and the Vulkan loader.
# Idempotent: skips what is present. Prints the XDG_RUNTIME_DIR export line at the end (Dawn's
# Vulkan loader wants a writable runtime folder; the tests set one themselves when it is unset).
set -euo pipefail

sudo_cmd=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi

has_lavapipe() {
  # the ICD manifest of lavapipe plus the loader library (no grep -q: under pipefail its early
  # exit makes ldconfig die of SIGPIPE and the check fail)
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null
}

backports_version_ok() {
  # Dawn needs Mesa >= 23 (bookworm ships 22.3); the backports build is 24+/25+
  local v
  v="$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)"
  [ -n "$v" ] && dpkg --compare-versions "$v" ge 23
}

if has_lavapipe && backports_version_ok; then
  echo "setup-webgpu: lavapipe and libvulkan1 already present ($(dpkg-query -W -f='${Version}' mesa-vulkan-drivers))"
else
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-webgpu: no apt-get here; install a Vulkan driver (Mesa lavapipe >= 23) and libvulkan1 by hand" >&2
    exit 1
  fi
  list=/etc/apt/sources.list.d/bookworm-backports.list
  if ! grep -rqs '^deb .*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "setup-webgpu: adding bookworm-backports to $list"
    echo 'deb http://deb.debian.org/debian bookworm-backports main' | $sudo_cmd tee "$list" >/dev/null
  fi
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  echo "setup-webgpu: installed mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers) and libvulkan1"
fi

runtime_dir="${XDG_RUNTIME_DIR:-${TMPDIR:-/tmp}/xdg-runtime-$(id -u)}"
mkdir -p "$runtime_dir" && chmod 700 "$runtime_dir"
echo "export XDG_RUNTIME_DIR=$runtime_dir"
