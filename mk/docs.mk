# Documentation checks (issue 8): every ```c and ```cpp block of README.md
# and docs/ compiles with warnings as errors and links against the library;
# the ones marked `<!-- snippet: run -->` also run against a fresh
# emulator. Every ```ruby block passes `ruby -c`. See
# scripts/extract-snippets for the markers.

SNIPPET_CFLAGS   := -std=c11 -Wall -Wextra -Werror
SNIPPET_CXXFLAGS := -std=c++17 -Wall -Wextra -Werror
SNIPPET_RUBY     ?= ruby
SNIPPET_PAGES     = $(ROOT)/README.md $(sort $(wildcard $(ROOT)/docs/*.md))

.PHONY: test-docs

test-docs: build
	$(WITH_EMU) --no-rate-limit -- python3 $(ROOT)/scripts/extract-snippets \
		--out $(BUILD)/snippets --cc "$(CC)" --cflags "$(SNIPPET_CFLAGS)" \
		--cxx "$(CXX)" --cxxflags "$(SNIPPET_CXXFLAGS)" \
		--ruby "$(SNIPPET_RUBY)" --link "$(C_LINK) -lpthread" \
		$(SNIPPET_PAGES)

TEST_TARGETS += test-docs
