#!/usr/bin/env bash
# `make run`: a demo investflow on http://127.0.0.1:8080. Creates DB (default
# investflow.db) with seeded demo projects and one demo user per role the first time,
# printing their passwords; later runs reuse the database as it is. Then serves it until
# Ctrl-C.
#   scripts/run-demo.sh [BINARY] [DB]
set -euo pipefail

binary=${1:-build/release/app/investflow}
db=${2:-${DB:-investflow.db}}
listen=${LISTEN:-127.0.0.1:8080}
here=$(cd "$(dirname "$0")/.." && pwd)

if [ ! -e "$db" ]; then
  "$binary" init "$db"
  "$binary" seed "$db" --projects "${DEMO_PROJECTS:-200}"
  echo
  echo "Demo users (printed once; change them with 'investflow user passwd NAME --db $db'):"
  for role in staff secretariat reviewer manager leader auditor admin; do
    password=$("$binary" user add "demo-$role" --role "$role" --db "$db" | sed -n 's/^password: //p')
    printf '  %-18s %-12s %s\n' "demo-$role" "$role" "$password"
  done
  # Reviews need a quorum of three reviewers.
  for extra in 2 3; do
    password=$("$binary" user add "demo-reviewer$extra" --role reviewer --db "$db" |
      sed -n 's/^password: //p')
    printf '  %-18s %-12s %s\n' "demo-reviewer$extra" reviewer "$password"
  done
  echo
fi

static=()
if [ -d "$here/web/console" ]; then static=(--static-dir "$here/web/console"); fi
exec "$binary" serve --db "$db" --listen "$listen" --workflows "$here/workflows/definitions" \
  "${static[@]}"
