# The `ccx` command-line tool and the logging tests (issue 8).

CCX_CLI := $(BUILD)/ccx

.PHONY: ccx test-logging test-cli

ccx: $(CCX_CLI)

$(CCX_CLI): tools/ccx.c tools/json_pretty.c tools/json_pretty.h \
            include/cloudconnexa.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ tools/ccx.c tools/json_pretty.c $(C_LINK)

# Two emulators: one with faults for retry lines, one with a rate limit
# tight enough that the client has to wait and say so.
test-logging: $(BUILD)/tests/test_logging
	$(WITH_EMU) --control --no-rate-limit -- $(BUILD)/tests/test_logging
	$(WITH_EMU) --rate-limit 2:1:1 -- $(BUILD)/tests/test_logging ratelimit

test-cli: $(CCX_CLI)
	$(WITH_EMU) --control --no-rate-limit -- \
		env CCX=$(CCX_CLI) python3 $(ROOT)/tests/cli/test_cli.py

TEST_TARGETS += test-logging test-cli
