# The `ccx` command-line tool and the logging tests (issue 8).

.PHONY: test-logging

# Two emulators: one with faults for retry lines, one with a rate limit
# tight enough that the client has to wait and say so.
test-logging: $(BUILD)/tests/test_logging
	$(WITH_EMU) --control --no-rate-limit -- $(BUILD)/tests/test_logging
	$(WITH_EMU) --rate-limit 2:1:1 -- $(BUILD)/tests/test_logging ratelimit

TEST_TARGETS += test-logging
