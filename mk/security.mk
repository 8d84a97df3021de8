# Security checks, included by the Makefile (`-include mk/*.mk`); `make test` runs security-test.
.PHONY: security-test

SECURITY_TEST_BIN ?= $(shell $(SWIFT) build --show-bin-path 2>/dev/null)/audio-fleet

security-test: ## Native fleet: no raw PII anywhere, unforgeable log lines, loopback binds, the mutation guard (~15 s)
	@scripts/stack/security_test.py --binary "$(SECURITY_TEST_BIN)"
