#!/usr/bin/env bash
# Installs the Debian 12 packages investflow needs to build, test and run, if any are missing.
# As root it runs apt-get; otherwise it prints the command to run.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3 libyaml-cpp-dev libsodium-dev
  libfmt-dev libspdlog-dev
  libssl-dev  # serve over HTTPS; webhook signatures (HMAC); the tests' TLS receivers
  # notify/http_post.cpp: the webhook client (HTTPS, HTTP(S)_PROXY/NO_PROXY, a CA bundle
  # option); Beast had no proxy support
  libcurl4-openssl-dev
  # .xlsx files: the zip container of imports and exports (storage/tabular.cpp,
  # storage/xlsx_book.cpp), the XML parts of imports; the storage tests also open written
  # XLSX files with minizip (tests/support/xlsx_parts.hpp)
  libminizip-dev zlib1g-dev libexpat1-dev
  libjemalloc-dev  # the binary's and benchmarks' allocator (CMakeLists.txt)
  libgtest-dev libgmock-dev libbenchmark-dev
  libvalijson-dev  # the web tests check every response against the OpenAPI document
  # The PostgreSQL store (storage/pg_connection.cpp): libpq; its tests start a private
  # PostgreSQL 15 server from /usr/lib/postgresql/15/bin (tests/support/pg_server.hpp)
  libpq-dev postgresql-15
  # make package and its test (tests/package/): dpkg-shlibdeps, systemd-analyze verify of
  # the unit, curl against the unpacked server
  dpkg-dev systemd curl
  clang clang-format
  lld  # links the sanitizer builds (dev, fuzz) about four times faster than ld.bfd
)
if [ "${INVESTFLOW_BROWSER_TESTS:-0}" = 1 ]; then
  # The console's browser tests: Debian's chromium (playwright-core downloads no browser)
  # and a CJK font for readable screenshots.
  packages+=(chromium fonts-wqy-microhei)
fi
# npm installs the console's chart library (web/console/package-lock.json) at build time.
# Node may come from NodeSource, whose nodejs package holds npm too: ask apt only for
# what is missing.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
if [ "${INVESTFLOW_BENCH_TOOLS:-0}" = 1 ]; then
  packages+=(wrk nginx-light)
fi
# make fuzz / make test: libFuzzer and the sanitizer runtimes for Debian's clang 14.
packages+=(libclang-rt-14-dev)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "investflow needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
