#!/usr/bin/env bash
# Runs the shipped workflows and scenarios through the real binary: every definition must
# validate, every scenario must run as its `expect` lines say.
set -euo pipefail
bin=${1:?usage: check-shipped.sh path/to/investflow}
cd "$(dirname "$0")/.."
"$bin" validate workflows/definitions/*.yaml >/dev/null
count=0
for scenario in workflows/scenarios/*.yaml; do
  name=$(basename "$scenario" .yaml)
  workflow=""
  for definition in workflows/definitions/*.yaml; do
    id=$(basename "$definition" .yaml)
    case "$name" in "$id"*) workflow=$definition ;; esac
  done
  if [ -z "$workflow" ]; then
    echo "check-shipped: no workflow for scenario $scenario" >&2
    exit 1
  fi
  if ! "$bin" simulate "$workflow" "$scenario" >/tmp/investflow-scenario.out 2>&1; then
    cat /tmp/investflow-scenario.out >&2
    echo "check-shipped: scenario $scenario failed" >&2
    exit 1
  fi
  count=$((count + 1))
done
echo "check-shipped: $count scenarios ran as expected"
