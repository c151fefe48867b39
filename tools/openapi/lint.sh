#!/usr/bin/env bash
# Lints the OpenAPI document with Redocly CLI, pinned in package-lock.json: zero errors.
#   tools/openapi/lint.sh OPENAPI_DUMP WORK_DIR
# Exit 77 (ctest's skip) when node or npm is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dump="$1"
work="$2"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "openapi lint skipped: node and npm are needed (scripts/install-deps.sh)" >&2
  exit 77
fi
"$here/install.sh"
mkdir -p "$work"
"$dump" >"$work/openapi.json"
"$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" --format=stylish \
  "$work/openapi.json"
