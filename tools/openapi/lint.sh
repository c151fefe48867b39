#!/usr/bin/env bash
# Lints the OpenAPI document with Redocly CLI, pinned in package-lock.json: zero errors.
#   tools/openapi/lint.sh OPENAPI_DUMP WORK_DIR
# Exit 77 (ctest's skip) when node or npm is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dump="$1"
work="$2"
"$here/install.sh"  # exits 77 without node and npm
mkdir -p "$work"
"$dump" >"$work/openapi.json"
"$here/node_modules/.bin/redocly" lint --config "$here/redocly.yaml" --format=stylish \
  "$work/openapi.json"
