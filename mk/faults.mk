# The fault suite (scripts/stack/fault_test.py): kills, a paused peer, a burst of 200 turns, OTLP
# export that cannot arrive, a soak at 50 speakers and SIGTERM under load, on the native fleet.
.PHONY: test-faults test-faults-short

FAULT_TEST_BIN ?= $(shell $(SWIFT) build --show-bin-path 2>/dev/null)/audio-fleet

test-faults: ## The full fault suite: kills of stt and the orchestrator, a 20 s pause, OTLP down, a 10-minute soak (about 15 min)
	@scripts/stack/fault_test.py --binary "$(FAULT_TEST_BIN)" $(FAULT_TEST_ARGS)

# What `make test` runs: every case, shorter (one kill, a 5 s pause, a 30 s soak): about 90 s.
test-faults-short:
	@scripts/stack/fault_test.py --binary "$(FAULT_TEST_BIN)" --short $(FAULT_TEST_ARGS)
