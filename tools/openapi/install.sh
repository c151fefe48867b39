#!/usr/bin/env bash
# `npm ci` here when node_modules is not from the committed package-lock.json (a stamp
# holds the lock's checksum), under a lock so that tests running at once install once.
# Exits 77 (ctest's skip for the tests that call it) when node or npm is missing.
set -euo pipefail
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "skipped: node and npm are needed (scripts/install-deps.sh)" >&2
  exit 77
fi
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
exec 9>"$here/.install.lock"
flock 9
sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.investflow-lock 2>/dev/null)" != "$sum" ]; then
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2
  echo "$sum" >node_modules/.investflow-lock
fi
