# libcloudconnexa: build, demo and tests.
#
#   make demo    build, start the emulator, run the examples against it
#   make test    every test (Rust, C, header drift, bindings, ...)
#
# Areas add their own targets in mk/*.mk and append to TEST_TARGETS.

CARGO    ?= cargo
CC       ?= cc
CXX      ?= c++
PROFILE  ?= debug
CFLAGS   ?= -std=c11 -Wall -Wextra -Werror -O1 -g

ROOT     := $(abspath .)
TARGET   := $(ROOT)/target/$(PROFILE)
BUILD    := $(ROOT)/build
LIB_SO   := $(TARGET)/libcloudconnexa.so
LIB_A    := $(TARGET)/libcloudconnexa.a
EMULATOR := $(TARGET)/ccx-emulator
WITH_EMU := CCX_EMULATOR=$(EMULATOR) $(ROOT)/scripts/with-emulator
CARGO_PROFILE_FLAG := $(if $(filter release,$(PROFILE)),--release,)

# Tests talk to loopback only; never through a proxy from the environment.
export NO_PROXY := 127.0.0.1,localhost,::1
export no_proxy := $(NO_PROXY)
# Nor with a real tenant's settings: every test and demo gets the emulator's
# from scripts/with-emulator or starts its own.
unexport CLOUDCONNEXA_API_URL CLOUDCONNEXA_CLIENT_ID CLOUDCONNEXA_CLIENT_SECRET \
         CLOUDCONNEXA_API_VERSION CCX_LOG SSL_CERT_FILE

C_LINK   := -I$(ROOT)/include -L$(TARGET) -Wl,-rpath,$(TARGET) -lcloudconnexa

TEST_TARGETS := test-lint test-rust test-header test-c
DEMO_TARGETS := demo-quickstart demo-onboard-team

.PHONY: all build generate demo test $(TEST_TARGETS) $(DEMO_TARGETS) clean

all: build

build:
	$(CARGO) build $(CARGO_PROFILE_FLAG) -p cloudconnexa -p ccx-emulator

# Regenerates src/ffi/resources.rs and include/cloudconnexa.h.
generate:
	$(CARGO) run -q -p xtask -- generate

$(BUILD)/%: examples/%.c include/cloudconnexa.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(C_LINK)

demo-quickstart: $(BUILD)/quickstart
	$(WITH_EMU) --time-scale 100 -- $(BUILD)/quickstart

demo-onboard-team: $(BUILD)/onboard_team
	$(WITH_EMU) --time-scale 100 -- $(BUILD)/onboard_team

demo: $(DEMO_TARGETS)

test-rust:
	$(CARGO) test --workspace --exclude xtask

# rustfmt and clippy as STYLE.md asks: formatted, and no warning at all.
test-lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy -q --workspace --all-targets -- -D warnings

# The committed header and generated code must equal what the sources give.
test-header:
	$(CARGO) run -q -p xtask -- check

$(BUILD)/tests/%: tests/c/%.c include/cloudconnexa.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(C_LINK) -lpthread

# With every log line on: neither the secret nor the wrong one the test
# tries may appear anywhere in what it prints.
test-c: $(BUILD)/tests/test_core
	$(WITH_EMU) --no-rate-limit --token-ttl 2 -- \
	    $(ROOT)/scripts/no-secrets wrong-secret-5f2c9d -- $(BUILD)/tests/test_core

-include mk/*.mk

test: $(TEST_TARGETS)

clean:
	$(CARGO) clean
	rm -rf $(BUILD)
