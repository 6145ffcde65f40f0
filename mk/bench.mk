# Benchmarks (bench/): `make bench` writes BENCHMARKS.md from the release
# build; `test-bench-smoke` runs the same harnesses tiny against the debug
# build, so that they keep working. Benchmarks never fail a build on
# their numbers.
#
#   make bench              ~3 minutes after the release build
#   make test-bench-smoke   seconds

BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2
BENCH_REL    := $(ROOT)/target/release
PYTHON       ?= python3

# $(1): build output directory, $(2): directory of libcloudconnexa.so.
define bench_compile
	@mkdir -p $(1)
	$(CC) $(BENCH_CFLAGS) -I$(ROOT)/include -o $(1)/ccxbench \
		bench/ccxbench.c -L$(2) -Wl,-rpath,$(2) -lcloudconnexa -lpthread
	$(CC) $(BENCH_CFLAGS) -o $(1)/curlbench bench/curlbench.c -lcurl
	$(CC) $(BENCH_CFLAGS) -o $(1)/startup bench/startup.c -ldl
endef

.PHONY: bench bench-release test-bench-smoke

bench-release:
	$(CARGO) build --release -p cloudconnexa -p ccx-emulator

bench: bench-release
	$(call bench_compile,$(BUILD)/bench/release,$(BENCH_REL))
	$(PYTHON) bench/run.py --bin $(BUILD)/bench/release \
		--lib $(BENCH_REL) --emulator $(BENCH_REL)/ccx-emulator \
		--out $(ROOT)/BENCHMARKS.md

test-bench-smoke: build
	$(call bench_compile,$(BUILD)/bench/debug,$(TARGET))
	$(PYTHON) bench/run.py --smoke --bin $(BUILD)/bench/debug \
		--lib $(TARGET) --emulator $(EMULATOR) \
		--out $(BUILD)/bench/debug/BENCHMARKS-smoke.md

TEST_TARGETS += test-bench-smoke
