#!/usr/bin/env bash
# `npm ci` here when node_modules is not from the committed package-lock.json (a stamp
# holds the lock's checksum), under a lock so that tests running at once install once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
exec 9>"$here/.install.lock"
flock 9
sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [ "$(cat node_modules/.investflow-lock 2>/dev/null)" != "$sum" ]; then
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error >&2
  echo "$sum" >node_modules/.investflow-lock
fi
