# Coverage-guided fuzzing of the readers that take bytes from outside the fleet — Ogg Opus, WAV
# and stt's multipart form — with libFuzzer (-sanitize=fuzzer) and AddressSanitizer. One binary,
# Sources/fleet-fuzz; FLEET_FUZZ_ENTRY pins each run to one reader and its corpus in
# Tests/Fuzz/corpus/<entry>. It builds in its own scratch folder, so it never touches the main build.
# A crash or a broken budget stops the run with the input in $(FUZZ_ARTIFACTS): copy it to
# Tests/Fuzz/regressions/ (FuzzRegressionTests replays every file there) and fix the reader.
FUZZ_SCRATCH ?= .build/fuzz
FUZZ_BIN := $(FUZZ_SCRATCH)/release/fleet-fuzz
FUZZ_ENTRIES := ogg-opus wav multipart
FUZZ_SECONDS ?= 300
FUZZ_SHORT_SECONDS ?= 10
# Per input: libFuzzer's RSS and single-allocation limits (the decoders' own budget is 30 s of
# audio, 5.8 MB of samples, so either limit firing means a reader allocated from a lying header).
# ASan's quarantine is kept small so the RSS limit measures the readers, not freed memory, and it
# records 4 frames per allocation, not 30: the readers allocate often, and unwinding was a third of
# the multipart run's time.
FUZZ_RSS_MB ?= 512
FUZZ_MALLOC_MB ?= 256
FUZZ_MAX_LEN ?= 32768
FUZZ_ARTIFACTS := $(FUZZ_SCRATCH)/artifacts
FUZZ_ENV := ASAN_OPTIONS=quarantine_size_mb=32:malloc_context_size=4
FUZZ_OPTIONS = -rss_limit_mb=$(FUZZ_RSS_MB) -malloc_limit_mb=$(FUZZ_MALLOC_MB) -max_len=$(FUZZ_MAX_LEN) \
	-timeout=10 -print_final_stats=1 -artifact_prefix=$(FUZZ_ARTIFACTS)/

.PHONY: fuzz fuzz-short fuzz-build fuzz-merge

fuzz-build: ## Build the libFuzzer target (release, ASan) in .build/fuzz
	$(SWIFT) build --scratch-path $(FUZZ_SCRATCH) -c release -Xswiftc -sanitize=fuzzer,address \
		-Xswiftc -DFUZZING --product fleet-fuzz

# fuzz-run SECONDS: each reader in turn, from its committed corpus; new finds go to a working corpus
# in the scratch folder (fuzz-merge minimises them into the committed one). Prints one line per
# reader with the executions run and their rate.
define fuzz-run
	@mkdir -p $(FUZZ_ARTIFACTS)
	@for entry in $(FUZZ_ENTRIES); do \
		mkdir -p $(FUZZ_SCRATCH)/corpus/$$entry; \
		log=$(FUZZ_SCRATCH)/fuzz-$$entry.log; \
		if ! FLEET_FUZZ_ENTRY=$$entry $(FUZZ_ENV) $(FUZZ_BIN) $(FUZZ_OPTIONS) -max_total_time=$(1) \
			$(FUZZ_SCRATCH)/corpus/$$entry Tests/Fuzz/corpus/$$entry >$$log 2>&1; then \
			tail -n 40 $$log; echo "fuzz: $$entry FAILED, input kept in $(FUZZ_ARTIFACTS)/ (log: $$log)"; exit 1; \
		fi; \
		awk -v entry=$$entry '/stat::number_of_executed_units/ {runs=$$2} /stat::average_exec_per_sec/ {rate=$$2} \
			/stat::peak_rss_mb/ {rss=$$2} END {printf "fuzz: %-9s %10d executions, %7d/s, peak RSS %d MB, no crash\n", entry, runs, rate, rss}' $$log; \
	done
endef

fuzz: fuzz-build ## Fuzz the Ogg Opus, WAV and multipart readers, FUZZ_SECONDS (300) each
	$(call fuzz-run,$(FUZZ_SECONDS))

# libFuzzer comes with the Linux toolchain; on a Mac it needs a swift.org toolchain, so the short
# run make test does is Linux-only. The build's output goes to a log unless it fails.
fuzz-short: ## The bounded run make test does: build, then FUZZ_SHORT_SECONDS (10) per reader
ifeq ($(shell uname),Linux)
	@mkdir -p $(FUZZ_SCRATCH); start=$$(date +%s); \
	$(MAKE) --no-print-directory fuzz-build >$(FUZZ_SCRATCH)/build.log 2>&1 \
		|| { tail -n 30 $(FUZZ_SCRATCH)/build.log; exit 1; }; \
	echo "fuzz: built fleet-fuzz in $$(( $$(date +%s) - start )) s"
	$(call fuzz-run,$(FUZZ_SHORT_SECONDS))
else
	@echo "fuzz-short: skipped (libFuzzer comes with the Linux toolchain; make fuzz with a swift.org one)"
endif

fuzz-merge: fuzz-build ## Minimise the committed corpus plus the last runs' finds into Tests/Fuzz/corpus
	@for entry in $(FUZZ_ENTRIES); do \
		rm -rf $(FUZZ_SCRATCH)/merged/$$entry && mkdir -p $(FUZZ_SCRATCH)/merged/$$entry $(FUZZ_SCRATCH)/corpus/$$entry; \
		FLEET_FUZZ_ENTRY=$$entry $(FUZZ_ENV) $(FUZZ_BIN) -merge=1 $(FUZZ_OPTIONS) $(FUZZ_SCRATCH)/merged/$$entry \
			Tests/Fuzz/corpus/$$entry $(FUZZ_SCRATCH)/corpus/$$entry 2>&1 | grep -E "MERGE-OUTER: [0-9]+ new files"; \
		rm -rf Tests/Fuzz/corpus/$$entry/* && cp $(FUZZ_SCRATCH)/merged/$$entry/* Tests/Fuzz/corpus/$$entry/; \
	done
	@du -sh Tests/Fuzz/corpus
