#!/usr/bin/env bash
# A client generated from the OpenAPI document (openapi-typescript, pinned in
# package-lock.json) type-checks against real responses: the web API tests run with
# INVESTFLOW_RECORD_RESPONSES (tests/web/contract.cpp records one body per operation, status
# and media type), then `tsc --strict` checks each as its operation's response type.
#   tools/openapi/typecheck.sh OPENAPI_DUMP WEB_TESTS WORK_DIR [RECORDED_DIR]
# With RECORDED_DIR holding what a run of the whole suite recorded (ctest's
# web_tests_on_postgresql does), those responses are checked and the tests are not run again.
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
recorded="${4:-}"
if [ -n "$recorded" ] && [ -f "$recorded/getMe.200.json.json" ]; then
  cp "$recorded"/*.json "$work/recorded/"
  echo "responses recorded by the web tests: $(ls "$work/recorded" | wc -l)"
else
  INVESTFLOW_RECORD_RESPONSES="$work/recorded" "$web_tests" \
    --gtest_filter='Api*:ReportsApi*:OpenApi*:Stream*:Security*' --gtest_brief=1 >"$work/web_tests.log" 2>&1 || {
    tail -50 "$work/web_tests.log" >&2
    exit 1
  }
fi
node "$here/responses_ts.mjs" "$work/recorded" "$work/responses.ts"
"$here/node_modules/.bin/tsc" --strict --noEmit --skipLibCheck --target es2022 \
  --module es2022 --moduleResolution bundler "$work/responses.ts"

# The check proves itself: values that break the document must be refused by tsc. A type
# that accepted anything (an undescribed object, `unknown`) would let these through.
tsc_one() {
  "$here/node_modules/.bin/tsc" --strict --noEmit --skipLibCheck --target es2022 \
    --module es2022 --moduleResolution bundler "$1" >/dev/null 2>&1
}
negative() {  # NAME TYPE VALUE
  printf 'import type { operations } from "./api";\nexport const wrong: %s = %s;\n' "$2" "$3" \
    >"$work/negative_$1.ts"
  if tsc_one "$work/negative_$1.ts"; then
    echo "self-check failed: tsc accepted $1 ($3)" >&2
    exit 1
  fi
}
# A recorded (valid) response with one change.
mutated() {  # RECORDED_FILE JS_STATEMENT_ON_r
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    '"$2"'; console.log(JSON.stringify(r));' "$work/recorded/$1"
}
me='operations["getMe"]["responses"][200]["content"]["application/json"]'
project='operations["getProject"]["responses"][200]["content"]["application/json"]'
problem='operations["getProject"]["responses"][404]["content"]["application/problem+json"]'
negative me_id_number "$me" "$(mutated getMe.200.json.json 'r.id = 42')"
negative me_without_id "$me" "$(mutated getMe.200.json.json 'delete r.id')"
negative project_epoch_time "$project" "$(mutated getProject.200.json.json 'r.created_at = 1772413200000')"
negative problem_status_text "$problem" "$(mutated getProject.404.problem.json 'r.status = "404"')"
echo "self-check: 4 wrong responses refused"
