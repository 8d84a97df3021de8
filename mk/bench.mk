# Benchmarks (docs/performance.md). `make bench` runs every one in full and prints its report;
# `make bench-short` runs each in a short mode on the debug binary, proving it still works (not
# its figures), and is part of `make test`. A benchmark fails only when it cannot run, never
# because a figure missed its goal; the callgrind count also fails when it grew more than 15 %
# over its stored baseline (an instruction count repeats, so that is a real regression).
.PHONY: bench bench-short hot-functions

BENCH_BIN ?= $(shell $(SWIFT) build --show-bin-path 2>/dev/null)/audio-fleet
BENCH_SCRIPTS := first_audio memory capacity startup
BENCH_JSON_DIR ?= var/bench

# The fleet benchmark runs the binary `make run` runs (the debug build); FLEET_BIN=$(RELEASE_BIN)
# measures the release build instead.
FLEET_BIN ?= $(BENCH_BIN)

# Runs scripts/bench/$(1).py on binary $(2) with the arguments $(3), under a heading.
define bench_script
	@echo; echo "== $(1) =="; scripts/bench/$(1).py --binary "$(2)" $(3)
endef

bench: build-debug ## Every benchmark in full: codec ratio and micro benchmarks (release), callgrind count, telemetry overhead, first audio, memory, capacity, start-up
	@mkdir -p $(BENCH_JSON_DIR)
	@SWIFT="$(SWIFT)" scripts/release-build.sh $(SWIFT_BUILD_FLAGS)
	$(RELEASE_BIN) bench
	@echo; echo "== codec ratio =="
	$(RELEASE_BIN) bench codec --json $(BENCH_JSON_DIR)/codec.json
	$(call bench_script,callgrind,$(BENCH_BIN),--json $(BENCH_JSON_DIR)/callgrind.json)
	$(call bench_script,telemetry,$(FLEET_BIN),--json $(BENCH_JSON_DIR)/telemetry.json)
	$(call bench_script,first_audio,$(FLEET_BIN),--json $(BENCH_JSON_DIR)/first_audio.json)
	$(call bench_script,memory,$(FLEET_BIN),--json $(BENCH_JSON_DIR)/memory.json)
	$(call bench_script,capacity,$(FLEET_BIN),--json $(BENCH_JSON_DIR)/capacity.json)
	$(call bench_script,startup,$(FLEET_BIN),--json $(BENCH_JSON_DIR)/startup.json)
	scripts/bench-fleet.py --binary "$(FLEET_BIN)" --turns 20

# What `make test` runs (about 3 minutes): each benchmark once, short, on the debug binary.
bench-short: ## Each benchmark in its short mode on the debug build (proves they run; part of make test)
	@start=$$(date +%s); \
	echo "== codec ratio (short) =="; "$(BENCH_BIN)" bench codec --short || exit $$?; \
	echo "(codec: $$(( $$(date +%s) - start )) s)"; \
	for script in callgrind telemetry $(BENCH_SCRIPTS); do \
		began=$$(date +%s); \
		echo; echo "== $$script (short) =="; scripts/bench/$$script.py --short --binary "$(BENCH_BIN)" || exit $$?; \
		echo "($$script: $$(( $$(date +%s) - began )) s)"; \
	done; \
	echo; echo "bench-short: $$(( $$(date +%s) - start )) s"

# Not part of `make bench`: it rewrites a committed file. Run it after large code changes, then
# compare scripts/bench/memory.py before and after (docs/performance.md, Memory, fix 12).
hot-functions: build ## Profile the functions the services run (callgrind, ~7 min), write config/build/hot-functions.order, relink
	scripts/bench/hot_functions.py --binary $(RELEASE_BIN)
	@SWIFT="$(SWIFT)" scripts/release-build.sh $(SWIFT_BUILD_FLAGS)
