#!/usr/bin/env bash
# Runs every libFuzzer target for N seconds on its committed corpus (copied, so the
# committed seeds stay small), FUZZ_JOBS targets at a time (default: one per core). A crash
# leaves its input in build/fuzz/artifacts/ and fails.
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS TARGET...}
seconds=${2:-30}
shift 2
jobs=${FUZZ_JOBS:-$(nproc)}
# Each target NAME_fuzz reads its seeds from tests/fuzz/corpus/NAME (loader for the loader).
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/artifacts"

fuzz_one() {  # TARGET: its report on stderr once it ends, so that reports do not interleave
  local binary=$1 corpus=${1%_fuzz}
  [ "$corpus" = workflow_loader ] && corpus=loader
  local work="$build/corpus/$corpus"
  mkdir -p "$work"
  cp -n "$root/tests/fuzz/corpus/$corpus"/* "$work"/ 2>/dev/null || true
  if ! "$build/tests/fuzz/$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$build/artifacts/$binary-" -print_final_stats=1 "$work" 2>"$build/$binary.log"; then
    { tail -40 "$build/$binary.log"; echo "fuzz: $binary FAILED; the input is in $build/artifacts/"; } >&2
    return 1
  fi
  { echo "fuzz: $binary for ${seconds}s"
    grep -E 'stat::number_of_executed_units|Done' "$build/$binary.log" | tail -2 || true; } >&2
}

status=0
running=0
for binary in "$@"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_one "$binary" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || status=1
  running=$((running - 1))
done
exit $status
