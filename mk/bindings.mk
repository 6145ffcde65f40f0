# The C++, Go and Ruby bindings: their tests and their example programs.
#
#   make test-cpp test-go test-ruby     the bindings' tests, on the emulator
#   make demo-cpp demo-go demo-ruby     the quickstart example per language
#   make gen-bindings                   regenerate the C++, Go and Ruby
#                                       methods
#   make test-bindings-generated        check they match api/functions.tsv
#
# Every binding uses the library built in $(TARGET); see docs/bindings.md.

CXXFLAGS ?= -std=c++17 -Wall -Wextra -Werror -O1 -g
GO       ?= go
RUBY     ?= ruby
GO_DIR   := $(ROOT)/bindings/go
RUBY_DIR := $(ROOT)/bindings/ruby

# -tags ccx_intree makes cgo use include/ and target/debug: no install.
GO_ENV := CGO_ENABLED=1 CCX_EMULATOR=$(EMULATOR)
RUBY_ENV := CLOUDCONNEXA_LIB=$(LIB_SO)

.PHONY: test-cpp test-go test-ruby demo-cpp demo-go demo-ruby \
	test-cpp-header gen-bindings test-bindings-generated

# --- C++ ---------------------------------------------------------------

# The test reads api/functions.tsv at run time to count the functions that
# need a method; generated_methods.inc is its list of those methods.
CPP_TEST_DEFS := -DCCX_FUNCTIONS_TSV='"$(ROOT)/api/functions.tsv"'

$(BUILD)/tests/cpp/%: tests/cpp/%.cpp tests/cpp/generated_methods.inc \
		include/cloudconnexa.hpp include/cloudconnexa.h build
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) $(CPP_TEST_DEFS) -o $@ $< $(C_LINK) -lgtest \
		-lgtest_main -pthread

$(BUILD)/examples/quickstart-cpp: examples/quickstart.cpp \
		include/cloudconnexa.hpp include/cloudconnexa.h build
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $< $(C_LINK)

# The C header must also compile as C++, pedantic warnings included.
test-cpp-header:
	$(CXX) -x c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror \
		-fsyntax-only include/cloudconnexa.h
	$(CXX) -x c++ -std=c++17 -Wall -Wextra -Wpedantic -Wshadow \
		-Wconversion -Werror -fsyntax-only -Iinclude \
		include/cloudconnexa.hpp

test-cpp: test-cpp-header $(BUILD)/tests/cpp/test_client \
		$(BUILD)/examples/quickstart-cpp
	$(WITH_EMU) --no-rate-limit -- $(BUILD)/tests/cpp/test_client
	$(WITH_EMU) --no-rate-limit -- $(BUILD)/examples/quickstart-cpp \
		>/dev/null

demo-cpp: $(BUILD)/examples/quickstart-cpp
	$(WITH_EMU) -- $(BUILD)/examples/quickstart-cpp

TEST_TARGETS += test-cpp

# --- Go ----------------------------------------------------------------

# The tests start their own emulator from $(EMULATOR). One run with the
# race detector covers both the behaviour and data races.
test-go: build
	cd $(GO_DIR) && $(GO_ENV) $(GO) vet -tags ccx_intree ./...
	cd $(GO_DIR) && $(GO_ENV) $(GO) test -race -count=1 -tags ccx_intree \
		./...
	cd $(GO_DIR) && $(GO_ENV) $(WITH_EMU) -- $(GO) run -tags ccx_intree \
		$(ROOT)/examples/quickstart.go >/dev/null

demo-go: build
	cd $(GO_DIR) && $(GO_ENV) $(WITH_EMU) -- $(GO) run -tags ccx_intree \
		$(ROOT)/examples/quickstart.go

TEST_TARGETS += test-go

# --- Ruby --------------------------------------------------------------

test-ruby: build
	$(RUBY_ENV) CCX_EMULATOR=$(EMULATOR) $(RUBY) -w -I$(RUBY_DIR)/lib \
		$(RUBY_DIR)/test/test_client.rb
	$(RUBY_ENV) $(WITH_EMU) --no-rate-limit -- $(RUBY) -I$(RUBY_DIR)/lib \
		$(ROOT)/examples/quickstart.rb >/dev/null

demo-ruby: build
	$(RUBY_ENV) $(WITH_EMU) -- $(RUBY) -I$(RUBY_DIR)/lib \
		$(ROOT)/examples/quickstart.rb

TEST_TARGETS += test-ruby

# --- Generated methods ---------------------------------------------------

# scripts/gen-bindings writes one method per function of api/functions.tsv
# into these files (in the C++ header, only between its generated-methods
# markers); the check regenerates them into a temporary directory and
# fails on any difference, so the contract and the bindings cannot drift
# apart.
GENERATED_BINDINGS := bindings/go/resources.go \
	bindings/ruby/lib/cloudconnexa/resources.rb \
	include/cloudconnexa.hpp tests/cpp/generated_methods.inc

gen-bindings:
	$(ROOT)/scripts/gen-bindings

test-bindings-generated:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(ROOT)/scripts/gen-bindings --out-dir "$$tmp" && \
	for f in $(GENERATED_BINDINGS); do \
		diff -u "$(ROOT)/$$f" "$$tmp/$$f" || { \
			echo "$$f is out of date: run make gen-bindings" >&2; \
			exit 1; }; \
	done

TEST_TARGETS += test-bindings-generated
