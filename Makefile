# Thin wrapper over CMake.  `make demo` and `make test` are the README's two
# commands; both install missing dependencies first (scripts/deps.sh).
BUILD    ?= build
BUILD_TYPE ?= RelWithDebInfo
CMAKE_ARGS ?=
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
# CMake's default is BPFRT_WERROR=OFF (a user's compiler may warn where ours
# don't); every build made through this Makefile, CI's included, keeps -Werror.
WERROR   = -DBPFRT_WERROR=ON

# CMake's generated Makefiles run make recursively: without this every
# sub-make prints "gmake[N]: Entering directory ..." around CMake's progress.
MAKEFLAGS += --no-print-directory
export MAKEFLAGS

.PHONY: all deps build demo test test-random asan tsan fuzz release-check bench bench-interp bench-maps bench-verifier bench-net clean

all: build

deps:
	@scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(WERROR) $(CMAKE_ARGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@examples/demo.sh $(BUILD)/bpfrt

# Every test but those under the label `random` (new random seeds each run):
# the suite is deterministic, so it can't fail by chance.
# TESTS=REGEX runs only the tests whose names match (ctest -R).
TESTS ?=
test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE random $(if $(TESTS),-R '$(TESTS)')

# The random-seed tests (kernel.diff_random, kernel.map_diff_random); a
# failure prints the command that replays its seed.  Run by .ci/run.
test-random: build
	@cd $(BUILD) && ctest --output-on-failure -L random

# The sanitizer runs take the same paths with fewer random kernel-differential
# programs and map operations (the full counts run in `make test`), to keep
# CI short.
SANITIZER_ENV = BPFRT_DIFF_COUNT=4000 BPFRT_JIT_INPUTS=8 BPFRT_MAP_DIFF_OPS=3000 BPFRT_SOUNDNESS_COUNT=1500

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	@$(SANITIZER_ENV) $(MAKE) --no-print-directory test BUILD=build-asan BUILD_TYPE=Debug CMAKE_ARGS="-DBPFRT_SANITIZE=ON"

# The tests that run threads, under ThreadSanitizer: the stress tests, the
# map tests with concurrent users, the packet workers (net run, live
# interfaces), bpfrt filter's read-ahead thread.  (The single-threaded rest
# gains nothing from TSan; leaving it out keeps CI under 15 minutes.)
TSAN_TESTS = ^(stress\.|unit\.test_(map_|perf_spin|btf_obj|pin|link)|hooks\.(xdp_|live_|netns_xdp|net_run|filter_vs_tcpdump))
tsan:
	@$(SANITIZER_ENV) $(MAKE) --no-print-directory test BUILD=build-tsan BUILD_TYPE=Debug CMAKE_ARGS="-DBPFRT_TSAN=ON" TESTS='$(TSAN_TESTS)'

# libFuzzer targets (tests/fuzz) under ASan + UBSan, built by clang-19 in
# build-fuzz: the loader for FUZZ_SECONDS, the BTF parser for half that,
# the verifier soundness fuzzer for FUZZ_VERIFIER_SECONDS, each over a
# scratch copy of its seed corpus.
FUZZ_SECONDS ?= 30
FUZZ_VERIFIER_SECONDS ?= 120
fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-19 \
		-DBPFRT_FUZZ=ON -DBPFRT_SANITIZE=ON $(WERROR) >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_loader fuzz_btf fuzz_verifier
	@tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $$(( $(FUZZ_SECONDS) / 2 )) $(FUZZ_VERIFIER_SECONDS)

# Release builds (-O3) with -Werror, by gcc and by clang-19, of what a user
# installs: the libraries, the command line and the conformance plugin (not
# the tests, to keep CI short).  Run by .ci/run.
RELEASE_TARGETS = bpfrt_static bpfrt_shared bpfrt_tool bpfrt_conformance_plugin
release-check: deps
	@for cc in gcc clang-19; do \
		echo "release-check: $$cc"; \
		cmake -S . -B build-rel-$$cc -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=$$cc $(WERROR) >/dev/null && \
		cmake --build build-rel-$$cc -j $(JOBS) --target $(RELEASE_TARGETS) || exit 1; \
	done

# Benchmarks (bench/RESULTS.md): `make bench` runs both runners;
# bench-interp (the interpreter) and bench-maps (map operations) run one.
bench: bench-interp bench-maps

bench-interp: build
	@$(BUILD)/bench/bpfrt_bench

bench-maps: build
	@$(BUILD)/bench/bpfrt_map_bench

# XDP programs on the frame runner (1 and 2 threads) vs the kernel's
# BPF_PROG_TEST_RUN: Mpps and ns per packet (bench/RESULTS.md).
bench-net: build
	@$(BUILD)/bench/bpfrt_net_bench $(BUILD)/examples

# Verification time, bpfrt's BPF_PROG_LOAD vs the kernel's (needs bpf()).
bench-verifier: build
	@$(BUILD)/bench/bpfrt_verifier_bench

# bpfrt filter vs tcpdump's own filtering, end to end, on a generated
# capture of 1M packets (bench/filter_bench.sh; bench/RESULTS.md).
.PHONY: bench-filter
bench-filter: build
	@bench/filter_bench.sh $(BUILD)/bpfrt $(BUILD)/tests/hooks/filter_gen

# Syscall tracing: ns per call of a traced program, watched and unwatched
# syscalls vs untraced (bench/trace_bench.sh; bench/RESULTS.md).
.PHONY: bench-trace
bench-trace: build
	@bench/trace_bench.sh $(BUILD)/bpfrt $(BUILD)/tests/hooks/trace_obj

clean:
	rm -rf build build-asan build-tsan build-fuzz build-rel-gcc build-rel-clang-19
