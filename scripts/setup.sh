#!/usr/bin/env bash
# Prepares a fresh clone on a fresh machine: Node 22 and the npm dependencies (installed under Node 22, or npm
# silently skips Hardhat's native EDR package), and, when run as root, the Debian packages and the Docker
# daemon the tests use. Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "setup: $*"; }

node22_ready() {
  [ -x node_modules/.bin/node ] &&
    node_modules/.bin/node -e 'process.exit(process.versions.node.startsWith("22.") ? 0 : 1)' &&
    [ -d node_modules/@nomicfoundation/edr-linux-x64-gnu ] &&
    [ -f node_modules/.package-lock.json ] &&
    [ ! package.json -nt node_modules/.package-lock.json ] &&
    { [ ! -f package-lock.json ] || [ ! package-lock.json -nt node_modules/.package-lock.json ]; }
}

if ! node22_ready; then
  log "installing dependencies under Node 22"
  # `npm install`, not `npm ci`: the registry lacks EDR's other-platform builds, so the lockfile cannot list them.
  npx --yes -p node@22 -- npm install --no-audit --no-fund
  touch node_modules/.package-lock.json
fi

if [ "${GPU_NEXUS_SKIP_SYSTEM_SETUP:-0}" = 1 ]; then exit 0; fi

missing=()
command -v ipfs_cid >/dev/null 2>&1 || missing+=(ipfs-cid)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    log "missing system packages: ${missing[*]} (run this script as root to install them)"
  fi
fi

if [ "$(id -u)" = 0 ]; then
  bash scripts/ci/docker.sh
elif ! docker info >/dev/null 2>&1; then
  log "no Docker daemon answers; Docker tests will skip (run this script as root to start one)"
fi
