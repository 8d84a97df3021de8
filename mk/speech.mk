# Speech a person can understand: tts-bark's output recognised by an independent recognizer.

.PHONY: speech-test speech-test-short

SPEECH_TEST_BIN ?= $(shell $(SWIFT) build --show-bin-path 2>/dev/null)/audio-fleet

speech-test: ## Intelligibility of every tts-bark voice: 24 held-out sentences, PyPI pocketsphinx, WER <= 20 % per family
	@scripts/stack/ensure-tools.sh speech
	@scripts/speech/speech-test.sh --binary "$(SPEECH_TEST_BIN)" $(SPEECH_TEST_ARGS)

speech-test-short: ## The intelligibility check `make test` runs: 20 sentences, one voice per family
	@scripts/stack/ensure-tools.sh speech
	@scripts/speech/speech-test.sh --binary "$(SPEECH_TEST_BIN)" --short
