# gnatsd — the front door. Every target installs what it needs first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
TSAN_BUILD ?= build-tsan
FUZZ_TIME  ?= 60
JOBS       ?= $(shell nproc)
ARGS       ?=

.PHONY: all deps build run test test-asan test-tsan fuzz bench bench-quick bench-micro format tidy clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Starts the server on its defaults (0.0.0.0:4222); extra flags via ARGS="-p 4333 -D".
run: build
	$(BUILD)/gnatsd $(ARGS)

# Side-by-side tests compare with nats-server 2.9.10, unpacked into the build directory (never
# installed: Debian's package would start a service on port 4222).
test: build
	@scripts/reference-server.sh $(BUILD)/reference >/dev/null
	@scripts/reference-server-2.10.sh $(BUILD)/reference >/dev/null
	cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 300

$(ASAN_BUILD)/build.ninja:
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGNATSD_SANITIZE=ON

test-asan: deps $(ASAN_BUILD)/build.ninja
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	@scripts/reference-server.sh $(ASAN_BUILD)/reference >/dev/null
	@scripts/reference-server-2.10.sh $(ASAN_BUILD)/reference >/dev/null
	cd $(ASAN_BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 600

$(TSAN_BUILD)/build.ninja:
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGNATSD_TSAN=ON

# The whole suite under ThreadSanitizer. Every process (the tests and each gnatsd they start)
# writes its reports under $(TSAN_BUILD)/tsan-reports; any report fails the target. The test
# processes take tests/tsan.supp (a client library's races, each with its reason); the servers
# take no suppression at all.
TSAN_REPORTS = $(CURDIR)/$(TSAN_BUILD)/tsan-reports/report
test-tsan: deps $(TSAN_BUILD)/build.ninja
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	@scripts/reference-server.sh $(TSAN_BUILD)/reference >/dev/null
	@scripts/reference-server-2.10.sh $(TSAN_BUILD)/reference >/dev/null
	rm -rf $(TSAN_BUILD)/tsan-reports && mkdir -p $(TSAN_BUILD)/tsan-reports
	cd $(TSAN_BUILD) && \
	  TSAN_OPTIONS="log_path=$(TSAN_REPORTS) suppressions=$(CURDIR)/tests/tsan.supp" \
	  GNATSD_SERVER_TSAN_OPTIONS="log_path=$(TSAN_REPORTS)" \
	  ctest -j $(JOBS) --output-on-failure --timeout 900
	@if [ -n "$$(ls $(TSAN_BUILD)/tsan-reports)" ]; then \
	  cat $(TSAN_BUILD)/tsan-reports/*; echo "ThreadSanitizer reported races (above)"; exit 1; fi

$(FUZZ_BUILD)/build.ninja:
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGNATSD_FUZZ=ON \
	  -DCMAKE_CXX_COMPILER=clang++

# Each libFuzzer target of tests/fuzz for FUZZ_TIME seconds, one after the other, from its
# committed corpus; new inputs go to $(FUZZ_BUILD)/corpus/<target>, crashes to $(FUZZ_BUILD)/.
FUZZ_TARGETS := client_parser connect config monitor_query route_parser websocket_frame
fuzz:
	@scripts/install-deps.sh --fuzz
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$t && \
	  $(FUZZ_BUILD)/fuzz_$$t $(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t \
	    -max_total_time=$(FUZZ_TIME) -rss_limit_mb=2048 -timeout=5 \
	    -artifact_prefix=$(FUZZ_BUILD)/$$t- || exit 1; \
	done

# Side by side with nats-server 2.9.10 (installed from Debian if missing) and 2.10.27 (fetched
# from Debian trixie into build/reference): every scenario, alternating fresh servers; prints
# the table with a ratio per reference and rewrites docs/PERFORMANCE.md. Under 15 min.
# Options via ARGS, e.g. ARGS="--only pub,pubsub --pairs 3" (bench/side_by_side.py --help).
bench: build
	@scripts/install-deps.sh --bench
	@scripts/reference-server-2.10.sh $(BUILD)/reference >/dev/null
	python3 bench/side_by_side.py $(ARGS)

# The same in under a minute with small counts and one pair; leaves docs/ alone.
bench-quick: build
	@scripts/install-deps.sh --bench
	@scripts/reference-server-2.10.sh $(BUILD)/reference >/dev/null
	python3 bench/side_by_side.py --quick $(ARGS)

bench-micro: build
	$(BUILD)/bench_micro

format:
	clang-format -i $$(git ls-files '*.cpp' '*.hpp')

tidy: build
	clang-tidy -p $(BUILD) $$(git ls-files 'src/*.cpp')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
