#!/usr/bin/env bash
# Runs every benchmark of a Release build and collects its `name: value unit` lines in
# bench/results/latest.json.
set -euo pipefail
build=${1:?usage: bench.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/bench/results"
lines=$(mktemp)
trap 'rm -f "$lines"' EXIT
for bench in "$build"/bench/*_bench; do
  [ -x "$bench" ] || continue
  echo "bench: $(basename "$bench")" >&2
  "$bench" --benchmark_min_time=0.5 | tee /dev/stderr | grep -E '^[a-z0-9_]+: ' >>"$lines" || true
done
# HTTP under load (wrk against `investflow serve`, and nginx for the ceiling).
echo "bench: http_bench.sh" >&2
"$root/bench/http_bench.sh" "$build" | tee /dev/stderr | grep -E '^[a-z0-9_]+: ' >>"$lines" ||
  echo "bench: http_bench.sh failed" >&2
echo "---" >&2
cat "$lines"
python3 - "$lines" "$root/bench/results/latest.json" <<'PY'
import json, sys, platform, datetime
figures = {}
for line in open(sys.argv[1], encoding="utf-8"):
    name, _, value = line.partition(": ")
    figures[name.strip()] = value.strip()
json.dump({"machine": platform.node(), "date": datetime.datetime.now().isoformat(timespec="seconds"),
           "figures": figures}, open(sys.argv[2], "w", encoding="utf-8"), indent=2, ensure_ascii=False)
PY
