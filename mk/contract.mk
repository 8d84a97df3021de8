# API contracts: every service against its own OpenAPI document (services/<name>/openapi.yaml) with
# schemathesis, on the native fleet. The route lists themselves are held to the documents by
# Tests/ServicesTests/OpenAPIContractTests.swift, in `swift test`.
.PHONY: contract-test contract-test-short

CONTRACT_TEST_BIN ?= $(shell $(SWIFT) build --show-bin-path 2>/dev/null)/audio-fleet

contract-test: ## Fuzz every service's API against its OpenAPI document (schemathesis, 100 cases per operation)
	@scripts/stack/ensure-tools.sh contract
	@scripts/stack/contract_test.py --binary "$(CONTRACT_TEST_BIN)" --examples 100 $(CONTRACT_TEST_ARGS)

# What `make test` runs: the same checks with 10 cases per operation (about a minute).
contract-test-short:
	@scripts/stack/ensure-tools.sh contract
	@scripts/stack/contract_test.py --binary "$(CONTRACT_TEST_BIN)" --examples 10 $(CONTRACT_TEST_ARGS)
