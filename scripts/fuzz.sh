#!/usr/bin/env bash
# Runs every libFuzzer target for N seconds on its committed corpus (copied, so the
# committed seeds stay small). A crash leaves its input in build/fuzz/artifacts/ and fails.
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS TARGET...}
seconds=${2:-30}
shift 2
# Each target NAME_fuzz reads its seeds from tests/fuzz/corpus/NAME (loader for the loader).
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/artifacts"
status=0
for binary in "$@"; do
  corpus=${binary%_fuzz}
  [ "$corpus" = workflow_loader ] && corpus=loader
  work="$build/corpus/$corpus"
  mkdir -p "$work"
  cp -n "$root/tests/fuzz/corpus/$corpus"/* "$work"/ 2>/dev/null || true
  echo "fuzz: $binary for ${seconds}s" >&2
  if ! "$build/tests/fuzz/$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$build/artifacts/$binary-" -print_final_stats=1 "$work" 2>"$build/$binary.log"; then
    tail -40 "$build/$binary.log" >&2
    echo "fuzz: $binary FAILED; the input is in $build/artifacts/" >&2
    status=1
  else
    grep -E 'stat::number_of_executed_units|Done' "$build/$binary.log" | tail -2 >&2 || true
  fi
done
exit $status
