#!/usr/bin/env bash
# Installs the system packages that the optional GPU backends of ssmjit need
# on Debian 12 (bookworm), run as root:
#   - webgpu:     Dawn (npm `webgpu`) over Vulkan; without a GPU that is Mesa's
#                 lavapipe software driver. Dawn refuses bookworm's Mesa 22
#                 lavapipe, so `mesa-vulkan-drivers` comes from bookworm-backports
#                 (Mesa 25).
#   - headlessgl: the npm `gl` package (headless-gl) is a native addon built
#                 against X11/Xi/Xext; it needs an X display at run time, which
#                 `xvfb-run -a` provides.
# Idempotent: when everything is already present it does no apt work at all.
# After it, rebuild the native addon once: `npm rebuild gl` (see docs/kernels.md).
set -euo pipefail

readonly BACKPORTS_FILE=/etc/apt/sources.list.d/bookworm-backports.sources
readonly MIN_MESA_MAJOR=24
readonly PLAIN_PACKAGES=(xvfb xauth libxi-dev libxext-dev libx11-dev pkg-config)

log() { printf 'install-gpu-backends: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (apt-get install)" >&2
  exit 1
fi

if ! grep -q 'VERSION_CODENAME=bookworm' /etc/os-release; then
  log "expected Debian 12 (bookworm); found: $(. /etc/os-release; echo "${PRETTY_NAME:-unknown}")" >&2
  exit 1
fi

installed_version() {
  dpkg-query -W -f='${db:Status-Status} ${Version}\n' "$1" 2>/dev/null | awk '$1 == "installed" { print $2 }'
}

mesa_is_recent() {
  local version major
  version=$(installed_version mesa-vulkan-drivers)
  [[ -n $version ]] || return 1
  major=${version%%.*}
  major=${major#*:}
  [[ $major -ge $MIN_MESA_MAJOR ]]
}

missing_plain_packages() {
  local pkg
  for pkg in "${PLAIN_PACKAGES[@]}"; do
    [[ -n $(installed_version "$pkg") ]] || printf '%s ' "$pkg"
  done
}

missing=$(missing_plain_packages)
if mesa_is_recent && [[ -z $missing ]]; then
  log "already installed (mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers))"
  exit 0
fi

if [[ ! -f $BACKPORTS_FILE ]]; then
  log "adding bookworm-backports to apt sources"
  cat > "$BACKPORTS_FILE" <<'SOURCES'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
fi

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -qq

if [[ -n $missing ]]; then
  log "installing: $missing"
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi

if ! mesa_is_recent; then
  log "installing mesa-vulkan-drivers from bookworm-backports"
  apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers > /dev/null
fi

log "done (mesa-vulkan-drivers $(installed_version mesa-vulkan-drivers))"
