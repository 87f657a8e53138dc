#!/usr/bin/env bash
# Builds the matmul example source's image without any registry: esbuild bundles the handler into one
# file, a rootfs gets the Node 22 binary + the shared libraries `ldd` names + the bundle, and
# `docker import` turns the tarball into an image. Idempotent: the content tag is a hash of everything
# that goes in, so an unchanged build is skipped and only the version tag is (re)pointed.
#   usage: bash scripts/build-example-image.sh [--force]
# Prints the image reference the compose files use as its last line.
set -euo pipefail

IMAGE=gpunexus/matmul-source
VERSION=0.1.0 # keep in step with examples/matmul-source/compose.*.yml
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_BIN=$(readlink -f "$ROOT/node_modules/node/bin/node")
ESBUILD="$ROOT/node_modules/.bin/esbuild"
WORK="$ROOT/.tmp/matmul-image"
FORCE=0
[ "${1:-}" = "--force" ] && FORCE=1

die() { echo "build-example-image: $*" >&2; exit 1; }
[ -x "$NODE_BIN" ] || die "no Node binary at node_modules/node/bin/node (run npm install)"
[ -x "$ESBUILD" ] || die "esbuild missing (run npm install)"
command -v docker >/dev/null || die "docker CLI missing (npm run docker:up)"
docker info >/dev/null 2>&1 || die "no Docker daemon answers (npm run docker:up)"

rm -rf "$WORK"
mkdir -p "$WORK/bundle"
# ESM bundle; CJS dependencies (pino) still call require() for builtins, so give them a real one.
"$ESBUILD" "$ROOT/examples/matmul-source/handler.ts" --bundle --platform=node --target=node22 \
  --format=esm --legal-comments=none --log-level=warning \
  --banner:js='import { createRequire as __gnCreateRequire } from "node:module"; const require = __gnCreateRequire(import.meta.url);' \
  --outfile="$WORK/bundle/handler.mjs"

HASH=$(cat "$WORK/bundle/handler.mjs" "$NODE_BIN" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
if [ "$FORCE" = 0 ] && docker image inspect "$IMAGE:$HASH" >/dev/null 2>&1; then
  echo "build-example-image: $IMAGE:$HASH is up to date" >&2
  docker tag "$IMAGE:$HASH" "$IMAGE:$VERSION"
  echo "$IMAGE:$VERSION"
  exit 0
fi

ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS/usr/local/bin" "$ROOTFS/app" "$ROOTFS/tmp" "$ROOTFS/etc"
chmod 1777 "$ROOTFS/tmp"
cp "$NODE_BIN" "$ROOTFS/usr/local/bin/node"
cp "$WORK/bundle/handler.mjs" "$ROOTFS/app/handler.mjs"
# Every absolute path ldd prints (libraries and the dynamic loader), copied to the same place.
ldd "$NODE_BIN" | grep -oE '/[^ ]+' | sort -u | while read -r lib; do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done
# An unprivileged user to run as: the handler needs no root inside the container.
printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/tmp:/sbin/nologin\n' >"$ROOTFS/etc/passwd"
printf 'root:x:0:\nvideo:x:44:\nnode:x:1000:\n' >"$ROOTFS/etc/group"

# Deterministic tarball (sorted, fixed owner and mtime) so the same inputs give the same layer.
tar -C "$ROOTFS" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -c . |
  docker import \
    --change 'ENTRYPOINT ["/usr/local/bin/node", "/app/handler.mjs"]' \
    --change 'ENV PORT=5555 HOST=0.0.0.0 NODE_ENV=production' \
    --change 'EXPOSE 5555' \
    --change 'WORKDIR /app' \
    --change 'USER 1000:1000' \
    --message "gpunexus matmul example source $VERSION ($HASH)" \
    - "$IMAGE:$HASH" >/dev/null
docker tag "$IMAGE:$HASH" "$IMAGE:$VERSION"
echo "build-example-image: built $IMAGE:$HASH" >&2
# Older content tags are dead weight (vfs stores every layer in full); one still used by a container stays.
# On a first build there is none, and grep's "no match" must not fail the script under pipefail.
for old in $(docker images --format '{{.Tag}}' "$IMAGE" | grep -E '^[0-9a-f]{16}$' | grep -vx "$HASH" || true); do
  docker rmi "$IMAGE:$old" >/dev/null 2>&1 || true
done
echo "$IMAGE:$VERSION"
