# AudioFleet — two commands do everything: `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
# Extra `swift build` flags for every build here, e.g. SWIFT_BUILD_FLAGS="--traits OTLPGRPC" for
# OTLP/gRPC export. Empty by default, so `make` and a plain `swift build` share one build folder.
SWIFT_BUILD_FLAGS ?=
RELEASE_BIN := .build/release/audio-fleet
# The release build is the container image's: scripts/release-build.sh builds it for both (the
# Swift runtime and Foundation linked in, every function in its own section, the functions the
# services run placed together; docs/performance.md, Memory), so the binary `make bench` measures
# is the one compose runs.

.DEFAULT_GOAL := help
.PHONY: help deps build build-debug run run-native test build-timing clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

deps: ## Install the system packages the build needs (or print the command)
	@scripts/ensure-deps.sh build

build: deps ## Build the release binary .build/release/audio-fleet, as the image builds it (for make bench)
	@SWIFT="$(SWIFT)" scripts/release-build.sh $(SWIFT_BUILD_FLAGS)

build-debug: deps ## Build the debug binary that make run and make test share
	@scripts/build-notice.sh
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --product audio-fleet

run: ## Run the whole fleet: docker compose when an engine is up, natively otherwise
	@if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory run-docker; \
	else \
		echo "No Docker engine found: running the fleet natively."; \
		$(MAKE) --no-print-directory run-native; \
	fi

# Natively the fleet runs the debug build: its cold build takes about half as long as a release
# build, and the real-time audio targets are optimised in it anyway (Package.swift), so turn
# latency and playback timing match release (docs/performance.md).
run-native: build-debug ## Run all nine services as local processes, plus the backends that are installed
	@scripts/ensure-deps.sh run || true
	@AUDIO_FLEET_BIN="$$($(SWIFT) build --show-bin-path)/audio-fleet" scripts/run-native.sh

test: ## Unit, end-to-end, fuzz, speech, stack-config, security, dashboard, shard, browser, contract, live-alert and fault tests, and the benchmarks (short forms)
	@scripts/ensure-deps.sh test
	@scripts/build-notice.sh --build-tests
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests
	$(SWIFT) test --skip-build --disable-xctest
	@$(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory speech-test-short
	@$(MAKE) --no-print-directory stack-check
	@$(MAKE) --no-print-directory security-test
	@$(MAKE) --no-print-directory dashboard-test
	@$(MAKE) --no-print-directory shard-test
	@$(MAKE) --no-print-directory browser-test
	@$(MAKE) --no-print-directory contract-test-short
	@$(MAKE) --no-print-directory alert-test-short
	@$(MAKE) --no-print-directory test-faults-short
	@$(MAKE) --no-print-directory bench-short

build-timing: ## Cold-build a copy of this checkout; where the time goes (CONFIG=release for release)
	@SWIFT_BUILD_FLAGS="$(SWIFT_BUILD_FLAGS)" scripts/build-timing.sh $(CONFIG)

clean: ## Remove build output and local state
	rm -rf .build var

-include mk/*.mk
