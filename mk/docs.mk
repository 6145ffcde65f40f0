# Documentation checks (issue 8): every ```c block in docs/ compiles with
# warnings as errors and links against the library; the ones marked
# `<!-- snippet: run -->` also run against a fresh emulator.

SNIPPET_CFLAGS := -std=c11 -Wall -Wextra -Werror

.PHONY: test-docs

test-docs: build
	$(WITH_EMU) --no-rate-limit -- python3 $(ROOT)/scripts/extract-snippets \
		--out $(BUILD)/snippets --cc "$(CC)" --cflags "$(SNIPPET_CFLAGS)" \
		--link "$(C_LINK) -lpthread" $(sort $(wildcard $(ROOT)/docs/*.md))

TEST_TARGETS += test-docs
