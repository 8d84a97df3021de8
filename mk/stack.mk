# Observability stack targets, included by the Makefile (`-include mk/*.mk`).
# `make test` runs stack-check and dashboard-test; `make run` runs run-docker when an engine is up.
.PHONY: stack-check dashboard-test budget run-docker down logs

# Binary the dashboard test runs: the debug build `make test` has just made, unless given.
DASHBOARD_TEST_BIN ?= $(shell $(SWIFT) build --show-bin-path 2>/dev/null)/audio-fleet

stack-check: ## Validate compose, Prometheus, rules, collector and Grafana configs (no Docker needed)
	@scripts/stack/check.sh

dashboard-test: ## Run every dashboard query against the native fleet + a local Prometheus
	@scripts/stack/dashboard-test.sh "$(DASHBOARD_TEST_BIN)"

budget: ## Print each service's memory limit and the total (fails over 3.5 GiB)
	@scripts/stack/ensure-tools.sh dashboard >/dev/null
	@python3 scripts/stack/memory-budget.py

run-docker: ## docker compose up -d --build, wait for health, print the URLs
	@scripts/stack/run-docker.sh up

down: ## Stop the compose stack (volumes are kept)
	@scripts/stack/run-docker.sh down

logs: ## Follow the compose stack's logs (make logs SERVICES="discord stt" for some)
	@scripts/stack/run-docker.sh logs $(SERVICES)
