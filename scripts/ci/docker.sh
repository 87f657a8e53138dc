#!/usr/bin/env bash
# Install and start a Docker daemon the way CI does (Debian 12, root, no registry reachable).
# Idempotent: installs only what is missing, starts dockerd only when `docker info` fails.
set -euo pipefail

LOG=${DOCKERD_LOG:-/var/log/dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}

die() { echo "docker.sh: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (installs packages and starts dockerd)"

need_install=0
command -v dockerd >/dev/null 2>&1 || need_install=1
command -v docker-compose >/dev/null 2>&1 || need_install=1
if [ "$need_install" = 1 ]; then
  echo "docker.sh: installing docker.io and docker-compose"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed"
  apt-get install -y -qq docker.io docker-compose >/dev/null || die "apt-get install docker.io docker-compose failed"
fi
command -v dockerd >/dev/null 2>&1 || die "dockerd still missing after install"
command -v docker >/dev/null 2>&1 || die "docker CLI missing after install"

if docker info >/dev/null 2>&1; then
  echo "docker.sh: daemon already answers"
  exit 0
fi

# vfs works on any filesystem (overlay-in-overlay does not); no iptables/bridge because CI
# containers lack the privileges for them, so compose stacks use host networking.
echo "docker.sh: starting dockerd (log: $LOG)"
nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >>"$LOG" 2>&1 &
echo $! > /var/run/docker-ci.pid

for _ in $(seq 1 "$WAIT_SECONDS"); do
  if docker info >/dev/null 2>&1; then
    echo "docker.sh: daemon ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
    exit 0
  fi
  if ! kill -0 "$(cat /var/run/docker-ci.pid)" 2>/dev/null; then
    tail -n 20 "$LOG" >&2 || true
    die "dockerd exited during startup; see $LOG"
  fi
  sleep 1
done
tail -n 20 "$LOG" >&2 || true
die "dockerd did not answer within ${WAIT_SECONDS}s; see $LOG"
