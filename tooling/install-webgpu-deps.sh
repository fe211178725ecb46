#!/usr/bin/env bash
# Installs what Dawn (the `webgpu` npm package) needs to find a WebGPU adapter on a CPU-only Linux
# machine: the Vulkan loader and Mesa's Vulkan drivers, whose llvmpipe is a software adapter.
# Mesa must be >= 23: Debian bookworm's Mesa 22.3 gives Dawn no adapter ("shaderUniform*Array
# DynamicIndexing required"), so on bookworm the drivers come from bookworm-backports (Mesa 25).
#
# Idempotent: run it as often as you like; it changes nothing when the drivers are already there.
# Then: GENLOOM_TEST_WEBGPU=1 pnpm --filter @genloom/core exec vitest run src/backend/webgpu-equivalence
set -euo pipefail

MIN_MESA_MAJOR=23
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else echo "install-webgpu-deps: needs root or sudo" >&2; exit 1; fi
fi

if ! command -v apt-get >/dev/null; then
  echo "install-webgpu-deps: no apt-get; install the Vulkan loader and Mesa >= ${MIN_MESA_MAJOR} Vulkan drivers (lavapipe/llvmpipe) with your package manager" >&2
  exit 1
fi

installed_major() {
  dpkg-query -W -f='${db:Status-Abbrev} ${Version}\n' mesa-vulkan-drivers 2>/dev/null |
    awk '$1 == "ii" { split($2, v, "[.:]"); print (v[2] != "" && $2 ~ /:/) ? v[2] : v[1] }'
}

have="$(installed_major || true)"
if [ -n "$have" ] && [ "$have" -ge "$MIN_MESA_MAJOR" ] && dpkg-query -W -f='${db:Status-Abbrev}' libvulkan1 2>/dev/null | grep -q '^ii'; then
  echo "install-webgpu-deps: mesa-vulkan-drivers ${have}.x and libvulkan1 already installed"
  exit 0
fi

. /etc/os-release
target=()
if [ "${ID:-}" = "debian" ] && [ "${VERSION_CODENAME:-}" = "bookworm" ]; then
  list=/etc/apt/sources.list.d/bookworm-backports.sources
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    echo "install-webgpu-deps: adding bookworm-backports ($list)"
    $SUDO tee "$list" >/dev/null <<'EOF'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  fi
  target=(-t bookworm-backports)
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${target[@]}" mesa-vulkan-drivers libvulkan1

have="$(installed_major || true)"
if [ -z "$have" ] || [ "$have" -lt "$MIN_MESA_MAJOR" ]; then
  echo "install-webgpu-deps: got mesa-vulkan-drivers ${have:-none}; Dawn needs Mesa >= ${MIN_MESA_MAJOR} on a CPU-only machine" >&2
  exit 1
fi
echo "install-webgpu-deps: mesa-vulkan-drivers ${have}.x installed"
