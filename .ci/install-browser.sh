#!/usr/bin/env bash
# Installs Chromium from Debian 12 (bookworm) for the browser specs (spec/browser), run as root.
# The specs drive it with playwright-core (an npm devDependency; no browser download) with
# WebGPU enabled; without a GPU, WebGL and WebGPU run on Chromium's SwiftShader.
# Idempotent: does no apt work when Chromium is already installed.
set -euo pipefail

log() { printf 'install-browser: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (apt-get install)" >&2
  exit 1
fi

if command -v chromium > /dev/null 2>&1; then
  log "already installed ($(chromium --version 2>/dev/null | head -n 1))"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
log "apt-get update"
apt-get update -qq
log "installing chromium"
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core > /dev/null
log "done ($(chromium --version 2>/dev/null | head -n 1))"
