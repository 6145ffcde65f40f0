# Security checks (see SECURITY.md):
#
#   test-asan      the C tests built with AddressSanitizer and UBSan
#   test-valgrind  the C tests under valgrind: no invalid access, no leak
#   test-symbols   the .so exports only ccx_ symbols, exactly the header's
#   test-fuzz      a short run of every fuzz target (nightly + cargo-fuzz)
#   fuzz-long      FUZZ_SECONDS per target (default 300), for docs/fuzzing.md
#
# The Rust security tests (tests/security_*.rs) run in test-rust.

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=all
# Leaks are checked; the Rust library itself is not instrumented, but its
# allocations go through the sanitizer's malloc and are seen all the same.
SAN_ENV   := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=23 \
             UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
VALGRIND  ?= valgrind
VALGRIND_FLAGS := --quiet --leak-check=full --errors-for-leak-kinds=definite \
                  --show-leak-kinds=definite --error-exitcode=1 \
                  --trace-children=no

# How each C test is run: its emulator flags and its arguments.
SEC_CORE_RUN    := --no-rate-limit --token-ttl 2 --
SEC_LOGGING_RUN := --control --no-rate-limit --

$(BUILD)/asan/%: tests/c/%.c include/cloudconnexa.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $< $(C_LINK) -lpthread

test-asan: $(BUILD)/asan/test_core $(BUILD)/asan/test_logging
	$(SAN_ENV) $(WITH_EMU) $(SEC_CORE_RUN) $(BUILD)/asan/test_core
	$(SAN_ENV) $(WITH_EMU) $(SEC_LOGGING_RUN) $(BUILD)/asan/test_logging

test-valgrind: $(BUILD)/tests/test_core $(BUILD)/tests/test_logging
	$(WITH_EMU) $(SEC_CORE_RUN) \
	    $(VALGRIND) $(VALGRIND_FLAGS) $(BUILD)/tests/test_core
	$(WITH_EMU) $(SEC_LOGGING_RUN) \
	    $(VALGRIND) $(VALGRIND_FLAGS) $(BUILD)/tests/test_logging

test-symbols: build
	$(ROOT)/scripts/check-symbols $(LIB_SO) $(ROOT)/include/cloudconnexa.h

# Fuzzing builds with nightly in its own target directory (fuzz/target), so
# it never rebuilds the tree's debug library under other running tests.
FUZZ_TARGETS = $(shell sed -n 's/^name = "\(fuzz_[a-z_]*\)"/\1/p' \
                 $(ROOT)/fuzz/Cargo.toml)
FUZZ_SHORT   ?= 10
FUZZ_SECONDS ?= 300
FUZZ_SEED    ?= 1
FUZZ_CARGO   ?= cargo +nightly fuzz
FUZZ_FLAGS   := -rss_limit_mb=2048 -max_len=65536

fuzz-build: build
	cd $(ROOT)/fuzz && $(FUZZ_CARGO) build --dev

# Each target starts from its checked-in seeds; what a run adds to the
# corpus is thrown away, so the tree stays as committed.
# libFuzzer's progress goes to a log; on a crash its tail is shown, and the
# input is in fuzz/artifacts/<target>/. Each line printed is the target's
# final counters: runs, coverage, corpus size.
# $(3) is libFuzzer's -seed: fixed for the gating run in make test, so it
# explores the same way on every machine; 0 (a fresh seed) for fuzz-long.
define fuzz-run
	@set -e; for t in $(FUZZ_TARGETS); do \
	    work=$$(mktemp -d); \
	    cp $(ROOT)/fuzz/seeds/$$t/* $$work/ 2>/dev/null || true; \
	    if (cd $(ROOT)/fuzz && $(FUZZ_CARGO) run --dev $$t $$work -- \
	        -max_total_time=$(1) -seed=$(3) $(FUZZ_FLAGS) \
	        -print_final_stats=1) \
	        >$$work.log 2>&1; then \
	        printf 'fuzz: %-22s %s s: ' $$t $(1); \
	        grep -E '^#[0-9]+' \
	            $$work.log | tail -1; \
	        $(2) \
	        rm -rf $$work $$work.log; \
	    else \
	        tail -40 $$work.log; rm -rf $$work $$work.log; \
	        echo "fuzz: $$t FAILED"; exit 1; \
	    fi; \
	done
endef

test-fuzz: fuzz-build
	$(call fuzz-run,$(FUZZ_SHORT),,$(FUZZ_SEED))

# Keeps each target's final statistics in fuzz/stats/ for docs/fuzzing.md.
fuzz-long: fuzz-build
	@mkdir -p $(ROOT)/fuzz/stats
	$(call fuzz-run,$(FUZZ_SECONDS),grep -E '^(#[0-9]+|stat::|Done)' $$work.log | tail -12 >$(ROOT)/fuzz/stats/$$t.txt;,0)

.PHONY: test-asan test-valgrind test-symbols test-fuzz fuzz-build fuzz-long

TEST_TARGETS += test-asan test-valgrind test-symbols test-fuzz
