#!/usr/bin/env bash
# `make run`: a demo investflow on http://127.0.0.1:8080. Creates DB (default
# investflow.db) with seeded demo projects and one demo user per role the first time; the
# logins are kept in DB.logins (readable by you only) and printed at every start. Later
# runs reuse the database as it is. Then serves it until Ctrl-C.
#   scripts/run-demo.sh [BINARY] [DB]
set -euo pipefail

binary=${1:-build/release/app/investflow}
db=${2:-${DB:-investflow.db}}
listen=${LISTEN:-127.0.0.1:8080}
here=$(cd "$(dirname "$0")/.." && pwd)

logins="$db.logins"
if [ ! -e "$db" ]; then
  "$binary" init "$db"
  "$binary" seed "$db" --projects "${DEMO_PROJECTS:-200}"
  umask 077
  : >"$logins"
  add_user() {  # NAME ROLE
    local password
    password=$("$binary" user add "$1" --role "$2" --db "$db" | sed -n 's/^password: //p')
    printf '  %-18s %-12s %s\n' "$1" "$2" "$password" >>"$logins"
  }
  for role in staff secretariat reviewer manager leader auditor admin; do
    add_user "demo-$role" "$role"
  done
  # Reviews need a quorum of three reviewers.
  add_user demo-reviewer2 reviewer
  add_user demo-reviewer3 reviewer
fi
if [ -r "$logins" ]; then
  echo "Demo logins for $db (user, role, password):"
  cat "$logins"
  echo
fi
echo "Serving on http://$listen (Ctrl-C to stop)"

# The console is embedded in the binary; CONSOLE_DIR=web/console/public serves a working
# copy over it (edit, restart, reload).
static=()
if [ -n "${CONSOLE_DIR:-}" ]; then static=(--static-dir "$CONSOLE_DIR"); fi
exec "$binary" serve --db "$db" --listen "$listen" --workflows "$here/workflows/definitions" \
  "${static[@]}"
