# AudioFleet — two commands do everything: `make run` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
RELEASE_BIN := .build/release/audio-fleet

.DEFAULT_GOAL := help
.PHONY: help deps build build-debug run run-native test unit-test e2e-test bench clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

deps: ## Install the system packages the build needs (or print the command)
	@scripts/ensure-deps.sh build

build: deps ## Build the release binary .build/release/audio-fleet
	$(SWIFT) build -c release --product audio-fleet

build-debug: deps
	$(SWIFT) build --product audio-fleet

run: ## Run the whole fleet: docker compose when an engine is up, natively otherwise
	@if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory run-docker; \
	else \
		echo "No Docker engine found: running the fleet natively."; \
		$(MAKE) --no-print-directory run-native; \
	fi

run-native: build ## Run all nine services as local processes (plus Prometheus when installed)
	@scripts/ensure-deps.sh run || true
	@scripts/run-native.sh

test: ## Unit, end-to-end, stack-config and dashboard tests
	@scripts/ensure-deps.sh test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest
	@$(MAKE) --no-print-directory stack-check
	@$(MAKE) --no-print-directory dashboard-test

bench: deps ## Speed and memory benchmarks: codecs and synthesis, then the fleet's turn latency and RSS
	$(SWIFT) build -c release --product audio-fleet
	$(RELEASE_BIN) bench
	scripts/bench-fleet.py --binary $(RELEASE_BIN) --turns 20

clean: ## Remove build output and local state
	rm -rf .build var

-include mk/*.mk
