#!/usr/bin/env bash
# HTTP load benchmark (issue 4, docs/performance.md): wrk at 64 connections against
# `investflow serve` on a seeded database, and against nginx serving a static file of the
# same size as a project's JSON (the ceiling for GET on this machine).
# Prints `name: value unit` lines on stdout; progress and wrk's own output go to stderr.
# Usage: bench/http_bench.sh BUILD_DIR   (a Release build; needs wrk, nginx, sqlite3, curl)
# Environment: HTTP_BENCH_SECONDS (default 10), HTTP_BENCH_PROJECTS (default 2000).
set -euo pipefail

build=${1:?usage: http_bench.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
investflow=$(cd "$build" && pwd)/app/investflow
scripts="$root/bench/http"
seconds=${HTTP_BENCH_SECONDS:-10}
projects=${HTTP_BENCH_PROJECTS:-2000}
connections=64
threads=2

for tool in wrk nginx sqlite3 curl python3; do
  if ! command -v "$tool" >/dev/null && ! [ -x "/usr/sbin/$tool" ]; then
    echo "http_bench: $tool is missing (INVESTFLOW_BENCH_TOOLS=1 scripts/install-deps.sh)" >&2
    exit 1
  fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$investflow" ] || { echo "http_bench: no $investflow (build the release preset)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
nginx_pid=
stop() {
  # Everything this script started goes, whatever way it exits.
  if [ -n "$nginx_pid" ]; then kill -QUIT "$nginx_pid" 2>/dev/null || true; wait "$nginx_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap stop EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_until_up() {  # URL PID
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "http_bench: server exited" >&2; return 1; }
    sleep 0.1
  done
  echo "http_bench: $1 does not answer" >&2
  return 1
}

# Runs wrk with one of bench/http/*.lua; echoes the script's `wrk_result k=v ...` line.
run_wrk() {  # URL SCRIPT ARGS...
  local url=$1 script=$2
  shift 2
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$scripts/$script" "$url" -- "$@")
  echo "$out" >&2
  echo "$out" | grep '^wrk_result '
}

field() {  # RESULT_LINE KEY
  sed -E "s/.* $2=([0-9]+).*/\1/" <<<"$1"
}

per_second() {  # RESULT_LINE
  python3 -c 'import sys; print(f"{int(sys.argv[1]) * 1e6 / int(sys.argv[2]):.0f}")' \
    "$(field "$1" requests)" "$(field "$1" duration_us)"
}

count_events() {
  sqlite3 "$db" 'SELECT count(*) FROM events'
}

# --- a seeded database, a user with a token, the server --------------------------------
db="$work/bench.db"
echo "http_bench: seeding $projects projects" >&2
"$investflow" init "$db" >/dev/null
"$investflow" seed "$db" --projects "$projects" --workflow qingyuan-investment >/dev/null
"$investflow" user add bench --role manager --role staff --password "bench-password-$RANDOM-$RANDOM" \
  --db "$db" >/dev/null
token=$("$investflow" user token bench --db "$db")
sqlite3 "$db" 'SELECT id FROM projects ORDER BY id' >"$work/ids"
# Edits are refused in the closed states, so the write run only picks open projects.
sqlite3 "$db" "SELECT id FROM projects WHERE state NOT IN ('rejected', 'withdrawn', 'exited')
               ORDER BY id" >"$work/edit_ids"

port=$(free_port)
# --no-dispatch: the seeded histories have deadlines long past, and the scheduler would add
# its own overdue events to the log that the write check below counts.
"$investflow" serve --db "$db" --listen "127.0.0.1:$port" --no-dispatch \
  --workflows "$root/workflows/definitions" >"$work/serve.log" 2>&1 &
server_pid=$!
api="http://127.0.0.1:$port"
wait_until_up "$api/healthz" "$server_pid"

# --- GET one project -------------------------------------------------------------------
echo "http_bench: GET /api/projects/{id}" >&2
get=$(run_wrk "$api" get_project.lua "$work/ids" "$token")
[ "$(field "$get" non2xx)" = 0 ] || { echo "http_bench: GET answered non-2xx" >&2; exit 1; }
get_rps=$(per_second "$get")
# The mean size of a project's JSON, over every 40th id the GET run used.
size=$(awk 'NR % 40 == 1' "$work/ids" | while read -r id; do
  curl -s -H "Authorization: Bearer $token" "$api/api/projects/$id" 2>/dev/null | wc -c
done | awk '{ s += $1; n++ } END { if (n) printf "%d", s / n }' || true)
if [ -z "$size" ] || [ "$size" -le 0 ]; then size=2500; fi

# --- durable writes: PATCH a field, one fields_edited event each ------------------------
echo "http_bench: PATCH /api/projects/{id}" >&2
before=$(count_events)
edit=$(run_wrk "$api" edit_project.lua "$work/edit_ids" "$token")
sleep 0.5  # let the requests wrk left in flight at its deadline commit
after=$(count_events)
edit_ok=$(($(field "$edit" requests) - $(field "$edit" non2xx)))
new_events=$((after - before))
in_flight=$(($(field "$edit" sent) - $(field "$edit" requests)))
echo "http_bench: 2xx=$edit_ok new_events=$new_events left_in_flight_by_wrk=$in_flight" >&2
# Every acknowledged write is an event; the only extra events are those of requests wrk
# sent but stopped waiting for at its deadline.
if [ "$(field "$edit" non2xx)" != 0 ] || [ "$new_events" -lt "$edit_ok" ] ||
   [ "$new_events" -gt $((edit_ok + in_flight)) ]; then
  echo "http_bench: writes do not match events" >&2
  exit 1
fi
edit_rps=$(per_second "$edit")
edit_p99_ms=$(python3 -c 'import sys; print(f"{int(sys.argv[1]) / 1000:.2f}")' "$(field "$edit" p99_us)")

kill -TERM "$server_pid"
wait "$server_pid" || echo "http_bench: server exited with $?" >&2
server_pid=

# --- nginx: a static file the size of a project's JSON ----------------------------------
mkdir -m 0755 "$work/nginx" "$work/nginx/www"
chmod 0755 "$work"  # nginx's workers run as nobody when this runs as root
head -c "$size" /dev/zero | tr '\0' 'x' >"$work/nginx/www/project.json"
chmod 0644 "$work/nginx/www/project.json"
echo project.json >"$work/static_ids"
nginx_port=$(free_port)
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes $threads;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  default_type application/json;
  client_body_temp_path $work/nginx/client_body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/nginx/www;
  }
}
CONF
"$nginx_bin" -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" \
  -g 'daemon off;' &
nginx_pid=$!
wait_until_up "http://127.0.0.1:$nginx_port/project.json" "$nginx_pid"

echo "http_bench: nginx, a static file of $size bytes" >&2
# The same script and headers as the GET run, so both pay the same client-side cost.
static=$(run_wrk "http://127.0.0.1:$nginx_port" get_project.lua "$work/static_ids" "$token" /)
[ "$(field "$static" non2xx)" = 0 ] || { echo "http_bench: nginx answered non-2xx" >&2; exit 1; }
static_rps=$(per_second "$static")

echo "http_get_project_rps: $get_rps req/s"
echo "http_transition_rps: $edit_rps req/s"
echo "http_transition_p99_ms: $edit_p99_ms ms"
echo "http_static_ceiling_rps: $static_rps req/s"
echo "http_get_vs_nginx: $(python3 -c 'import sys; print(round(100 * int(sys.argv[1]) / int(sys.argv[2])))' "$get_rps" "$static_rps") %"
