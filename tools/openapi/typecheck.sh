#!/usr/bin/env bash
# A client generated from the OpenAPI document (openapi-typescript, pinned in
# package-lock.json) type-checks against real responses: the web API tests run with
# INVESTFLOW_RECORD_RESPONSES (tests/web/contract.cpp records one body per operation, status
# and media type), then `tsc --strict` checks each as its operation's response type.
#   tools/openapi/typecheck.sh OPENAPI_DUMP WEB_TESTS WORK_DIR
# Exit 77 (ctest's skip) when node or npm is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dump="$1"
web_tests="$2"
work="$3"
"$here/install.sh"  # exits 77 without node and npm
rm -rf "$work"
mkdir -p "$work/recorded"
"$dump" >"$work/openapi.json"
"$here/node_modules/.bin/openapi-typescript" "$work/openapi.json" -o "$work/api.d.ts" --silent
INVESTFLOW_RECORD_RESPONSES="$work/recorded" "$web_tests" \
  --gtest_filter='Api*:ReportsApi*:OpenApi*:Stream*:Security*' --gtest_brief=1 >"$work/web_tests.log" 2>&1 || {
  tail -50 "$work/web_tests.log" >&2
  exit 1
}
node "$here/responses_ts.mjs" "$work/recorded" "$work/responses.ts"
"$here/node_modules/.bin/tsc" --strict --noEmit --skipLibCheck --target es2022 \
  --module es2022 --moduleResolution bundler "$work/responses.ts"
