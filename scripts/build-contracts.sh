#!/usr/bin/env bash
# Compiles the contracts when their artifacts are missing or older than a source (`npm run demo` and `npm run
# bench` deploy from them), and says so; a no-op on an up-to-date checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

artifact=artifacts/contracts/Nexus.sol/Nexus.json
if [ -f "$artifact" ] && [ -z "$(find contracts hardhat.config.ts -newer "$artifact" -print -quit)" ]; then exit 0; fi
echo "build: compiling the contracts (hardhat build)…"
hardhat build --no-tests --quiet
echo "build: artifacts ready"
