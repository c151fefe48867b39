# investflow: thin wrappers around CMake presets. `make run` and `make test` work on a
# fresh Debian 12 machine (they install missing packages first, as root).

JOBS ?= $(shell nproc)
DB ?= investflow.db

.PHONY: all deps build build-dev run test bench fuzz clean format

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

# A demo database (created and seeded on first run, with one login per role) served on
# http://127.0.0.1:8080.
run: build
	@build/release/app/investflow validate workflows/definitions/*.yaml >/dev/null
	@scripts/run-demo.sh build/release/app/investflow $(DB)

# Sanitizer build (ASan + UBSan), warnings as errors, every test, the console's browser
# tests included (chromium and node installed by deps; npm ci from the committed lock).
test: export INVESTFLOW_BROWSER_TESTS = 1
test: build-dev
	@cd build/dev && ctest --output-on-failure -j $(JOBS) --timeout 600
	@if [ "$(CI_FUZZ_SECONDS)" != 0 ] && command -v clang++ >/dev/null; then \
	  FUZZ_SECONDS=$(CI_FUZZ_SECONDS) $(MAKE) --no-print-directory fuzz; fi

bench: export INVESTFLOW_BENCH_TOOLS = 1
bench: build
	@scripts/bench.sh build/release

FUZZ_TARGETS := expression_fuzz workflow_loader_fuzz
FUZZ_TARGETS += request_json_fuzz http_router_fuzz
FUZZ_TARGETS += xlsx_reader_fuzz import_values_fuzz

# libFuzzer under ASan/UBSan (clang): each target for FUZZ_SECONDS (default 30).
fuzz: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	@scripts/fuzz.sh build/fuzz $${FUZZ_SECONDS:-30} $(FUZZ_TARGETS)

# CI runs every fuzz target this long after the tests (0: skip; needs clang).
CI_FUZZ_SECONDS ?= 30

.PHONY: crash-test soak

# The real server SIGKILLed under load from several clients, many times (tests/crash/);
# ctest runs a shorter one.
crash-test: build-dev
	@python3 tests/crash/crash_test.py build/dev/app/investflow --kills $${CRASH_KILLS:-30}

# Mixed read/write load for MINUTES; fails if RSS or file descriptors grow (tests/soak/).
MINUTES ?= 10
soak: export INVESTFLOW_BENCH_TOOLS = 1
soak: build
	@python3 tests/soak/soak.py build/release/app/investflow --minutes $(MINUTES)

format:
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

clean:
	rm -rf build

.PHONY: package
# A Debian 12 package of the release build (CPack): build/release/investflow_VERSION_amd64.deb.
package: build
	@cd build/release && cpack -G DEB
	@ls build/release/*.deb
