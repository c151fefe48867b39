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
# Peers: the engine benchmark's lifecycle written for XState (bench/peers/), same machine,
# same run, and the ratio of the two.
if command -v node >/dev/null && command -v npm >/dev/null; then
  echo "bench: bench/peers/xstate_lifecycle.mjs" >&2
  (cd "$root/bench/peers" && { [ -d node_modules/xstate ] || npm ci --no-audit --no-fund >&2; } &&
    node xstate_lifecycle.mjs) | tee /dev/stderr | grep -E '^[a-z0-9_]+: ' >>"$lines" ||
    echo "bench: xstate_lifecycle.mjs failed" >&2
  python3 - "$lines" >>"$lines" <<'PY' || true
import sys
figures = dict(l.split(": ", 1) for l in open(sys.argv[1], encoding="utf-8") if ": " in l)
engine, xstate = figures.get("engine_transitions_per_s"), figures.get("xstate_transitions_per_s")
if engine and xstate:
    print(f"engine_vs_xstate: {float(engine.split()[0]) / float(xstate.split()[0]):.1f} x")
PY
  grep '^engine_vs_xstate: ' "$lines" >&2 || true
else
  echo "bench: node/npm missing, no XState comparison (INVESTFLOW_BENCH_TOOLS=1 scripts/install-deps.sh)" >&2
fi
# HTTP under load (wrk against `investflow serve`, and nginx for the ceiling).
echo "bench: http_bench.sh" >&2
"$root/bench/http_bench.sh" "$build" | tee /dev/stderr | grep -E '^[a-z0-9_]+: ' >>"$lines" ||
  echo "bench: http_bench.sh failed" >&2
# Peak RSS idle / seeded / under load, and start-up to the first answer (INVESTFLOW_BENCH_DB:
# an existing 1,000,000-project database; otherwise a smaller one is seeded, as it says).
echo "bench: resources_bench.py" >&2
python3 "$root/bench/resources_bench.py" "$build" | tee /dev/stderr | grep -E '^[a-z0-9_]+: ' >>"$lines" ||
  echo "bench: resources_bench.py failed" >&2
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
