# The orchestrator's PostgreSQL conversation store (docs/operations/conversation-store.md), included
# by the Makefile (`-include mk/*.mk`). `make test` runs these suites inside its `swift test`: the
# test process starts its own throwaway server (scripts/postgres/temporary-postgres.sh), and fails,
# never skips, when the server binaries are missing (scripts/ensure-deps.sh test installs them).
.PHONY: test-postgres postgres-server

POSTGRES_SUITES := ConversationStoreTests|PostgresConversationStoreTests|OrchestratorReplicasTests|OrchestratorConfigTests

test-postgres: ## The conversation-store tests alone: memory, SQLite, PostgreSQL, two orchestrator replicas (~10 s)
	@scripts/ensure-deps.sh test
	$(SWIFT) build $(SWIFT_BUILD_FLAGS) --build-tests
	$(SWIFT) test --skip-build --disable-xctest --filter '$(POSTGRES_SUITES)'

postgres-server: ## A throwaway PostgreSQL on 127.0.0.1 (prints its URL; Ctrl-C stops it and removes its data)
	@scripts/postgres/temporary-postgres.sh $$$$
