# Observability stack targets, included by the Makefile (`-include mk/*.mk`).
# `make test` runs stack-check and dashboard-test; `make run` runs run-docker when an engine is up.
.PHONY: stack-check dashboard-test shard-test browser-test screenshots alert-test alert-test-short budget run-docker down logs

# Binary the dashboard test runs: the debug build `make test` has just made, unless given.
DASHBOARD_TEST_BIN ?= $(shell $(SWIFT) build --show-bin-path 2>/dev/null)/audio-fleet

stack-check: ## Validate compose, Prometheus, rules, collector and Grafana configs (no Docker needed)
	@scripts/stack/check.sh

dashboard-test: ## Run every dashboard query against the native fleet + a local Prometheus
	@scripts/stack/dashboard-test.sh "$(DASHBOARD_TEST_BIN)"

shard-test: ## One bridge vs two bridge shards with the same speakers: the dashboards' numbers must agree
	@scripts/stack/ensure-tools.sh dashboard
	@python3 scripts/stack/shard_test.py --binary "$(DASHBOARD_TEST_BIN)" $(SHARD_TEST_ARGS)

browser-test: ## Drive the three pages in Chromium (Playwright) against the native fleet
	@scripts/stack/ensure-tools.sh browser
	@scripts/stack/browser-test.sh --binary "$(DASHBOARD_TEST_BIN)" $(BROWSER_TEST_ARGS)

screenshots: ## The browser test, saving each page's screenshot to docs/screenshots/ (the README shows them)
	@scripts/stack/ensure-tools.sh browser
	@scripts/stack/browser-test.sh --binary "$(DASHBOARD_TEST_BIN)" --screenshots docs/screenshots

# ALERT_TEST_ARGS: e.g. "--until pending" (stop once the rule's condition holds, without its `for:`),
# or "--scenario sttFailure --value 100 --alert STTTranscriptionErrors --timeout 720".
alert-test: ## Switch a fault scenario on in the native fleet; wait until its alert fires in a local Prometheus
	@scripts/stack/alert-live-test.py --binary "$(DASHBOARD_TEST_BIN)" $(ALERT_TEST_ARGS)

# What `make test` runs: the quickest alert whose condition is a scenario's effect, not its flag —
# guardrails cut off, the orchestrator's circuit breaker opens, CircuitBreakerOpen fires after its
# `for: 1m` (about 90 s in all). `make alert-test ALERT_TEST_ARGS=--all` walks every scenario.
alert-test-short: ## The one live alert `make test` checks: downstreamUnreachable -> CircuitBreakerOpen firing
	@scripts/stack/alert-live-test.py --binary "$(DASHBOARD_TEST_BIN)" --scenario downstreamUnreachable \
		--value guardrails --alert CircuitBreakerOpen --warmup 10

budget: ## Print each service's memory limit and the total (fails over 3.5 GiB)
	@scripts/stack/ensure-tools.sh dashboard >/dev/null
	@python3 scripts/stack/memory-budget.py

run-docker: ## docker compose up -d --build, wait for health, print the URLs
	@scripts/stack/run-docker.sh up

down: ## Stop the compose stack (volumes are kept)
	@scripts/stack/run-docker.sh down

logs: ## Follow the compose stack's logs (make logs SERVICES="discord stt" for some)
	@scripts/stack/run-docker.sh logs $(SERVICES)
