#!/usr/bin/env bash
# issue 20 "Done when": the .deb that `make package` builds, unpacked with dpkg -x into a
# scratch root and run from there with the source and build trees out of sight (a private
# mount namespace puts an empty tmpfs over them when unshare is allowed): --version,
# validate, calendar add, init + serve + /healthz and /readyz, export, config check, the
# unit checked by systemd-analyze verify, bash completion.
#
# Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
scratch=$(mktemp -d /tmp/investflow-package.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# The package: what `make package` runs, with fast compression (the release one uses xz).
cpack --config "$build/CPackConfig.cmake" -G DEB -B "$scratch/out" \
  -D CPACK_DEBIAN_COMPRESSION_TYPE=zstd -D CPACK_PACKAGE_FILE_NAME=investflow-test >"$scratch/cpack.log" 2>&1 ||
  { cat "$scratch/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$scratch"/out/*.deb)
[ -f "$deb" ] || fail "no .deb written"

# Control: the right name, Depends from the linked libraries, no build packages.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libsqlite3-0 libyaml-cpp libsodium libminizip zlib1g libcurl; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib"
done
[[ "$depends" != *-dev* ]] || fail "Depends names a -dev package"
[ "$(dpkg-deb -f "$deb" Package)" = investflow ] || fail "package name"
# Each output is read whole before it is searched: with pipefail, `producer | grep -q` fails
# when grep stops reading at the first match and the producer dies of SIGPIPE.
control=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
grep -qx './postinst' <<<"$control" || { echo "$control" >&2; fail "no postinst"; }
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/investflow/investflow.yaml <<<"$conffiles" || fail "the configuration is not a conffile"

root="$scratch/root"
dpkg -x "$deb" "$root"
for f in usr/bin/investflow usr/share/investflow/workflows/definitions/qingyuan-investment.yaml \
         usr/share/investflow/workflows/calendars/cn-mainland.yaml \
         usr/lib/systemd/system/investflow.service usr/lib/sysusers.d/investflow.conf \
         usr/share/bash-completion/completions/investflow etc/investflow/investflow.yaml \
         usr/share/doc/investflow/operations.md; do
  [ -e "$root/$f" ] || fail "$f not in the package"
done
if grep -q "$source_dir" "$root/usr/share/investflow/workflows/definitions/"*.yaml "$root/etc/investflow/investflow.yaml" "$root/usr/lib/systemd/system/investflow.service"; then
  fail "an installed file names the source tree"
fi

# systemd-analyze verify: the unit, with its ExecStart pointing into the scratch root.
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$scratch/units"
  sed "s#/usr/bin/investflow#$root/usr/bin/investflow#" "$root/usr/lib/systemd/system/investflow.service" \
    >"$scratch/units/investflow.service"
  if ! out=$(SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$scratch/units/investflow.service" 2>&1); then
    echo "$out" >&2; fail "systemd-analyze verify"
  fi
  # Only complaints about this unit count (the host's other units are not ours).
  if echo "$out" | grep -i "investflow.service" | grep -v "^$"; then fail "systemd-analyze verify warns"; fi
  echo "systemd-analyze verify: clean"
else
  echo "SKIP systemd-analyze verify: systemd-analyze is not installed (apt-get install systemd)"
fi

# The checks, run with the source and build trees hidden when a mount namespace is allowed.
cat >"$scratch/run.sh" <<'INNER'
set -euo pipefail
root=$1; work=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
bin="$root/usr/bin/investflow"
cd "$work"
version=$("$bin" --version)
grep -q '^investflow [0-9]' <<<"$version" || fail "--version"
"$bin" validate "$root"/usr/share/investflow/workflows/definitions/*.yaml >/dev/null || fail validate
[ "$("$bin" calendar add 2026-09-30 1)" = 2026-10-08 ] || fail "calendar add (the shipped calendar)"
"$bin" init "$work/zone.db" >/dev/null || fail init
"$bin" seed "$work/zone.db" --projects 5 --synchronous off >/dev/null || fail seed
cat >"$work/investflow.yaml" <<YAML
db: $work/zone.db
listen: 127.0.0.1:0
access-log: true
YAML
"$bin" config check --config "$work/investflow.yaml" >"$work/check.txt" || fail "config check"
grep -q "^listen: 127.0.0.1:0  # $work/investflow.yaml:2:9" "$work/check.txt" || { cat "$work/check.txt"; fail "config check's origin"; }
"$bin" serve --config "$work/investflow.yaml" >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
for _ in $(seq 1 300); do
  grep -q 'serving' "$work/serve.out" 2>/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$work/serve.err"; fail "serve exited"; }
  sleep 0.1
done
url=$(sed -n 's#.* on \(http://[^ ]*\)/ .*#\1#p' "$work/serve.out")
[ -n "$url" ] || fail "serve did not print its address"
health=$(curl -fsS "$url/healthz") || fail /healthz
grep -q '"status":"ok"' <<<"$health" || fail /healthz
curl -fsS "$url/readyz" >/dev/null || fail /readyz
kill -TERM $pid
wait $pid || fail "serve's exit code after SIGTERM"
"$bin" export "$work/zone.db" --workflow qingyuan-investment --out "$work/projects.csv" >/dev/null || fail export
[ "$(wc -l <"$work/projects.csv")" -ge 2 ] || fail "export wrote no rows"
# bash completion from the package, against the installed binary.
if command -v bash >/dev/null; then
  PATH="$root/usr/bin:$PATH" bash -c "source $root/usr/share/bash-completion/completions/investflow
    COMP_WORDS=(investflow ser); COMP_CWORD=1; _investflow; [ \"\${COMPREPLY[*]}\" = serve ] || exit 1
    COMP_WORDS=(investflow serve --li); COMP_CWORD=2; _investflow; [ \"\${COMPREPLY[*]}\" = --listen ] || exit 1
    COMP_WORDS=(investflow user a); COMP_CWORD=2; _investflow; [ \"\${COMPREPLY[*]}\" = add ] || exit 1" ||
    fail "bash completion"
fi
echo "installed binary: ok"
INNER
mkdir -p "$scratch/work"
if unshare -m true 2>/dev/null; then
  echo "hiding $source_dir and $build"
  unshare -m bash -c 'mount -t tmpfs none "$1" && { [ "$2" = "$1" ] || [[ "$2" == "$1"/* ]] || mount -t tmpfs none "$2"; } &&
    [ -z "$(ls -A "$1")" ] && bash "$3" "$4" "$5"' _ "$source_dir" "$build" "$scratch/run.sh" "$root" "$scratch/work"
else
  echo "note: no mount namespace here; the source tree stays visible (the binary never looks for it)"
  bash "$scratch/run.sh" "$root" "$scratch/work"
fi
echo "package test: ok"
