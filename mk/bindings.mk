# The C++, Go and Ruby bindings: their tests and their example programs.
#
#   make test-cpp test-go test-ruby     the bindings' tests, on the emulator
#   make demo-cpp demo-go demo-ruby     the quickstart example per language
#
# Every binding uses the library built in $(TARGET); see docs/bindings.md.

CXXFLAGS ?= -std=c++17 -Wall -Wextra -Werror -O1 -g
GO       ?= go
RUBY     ?= ruby
GO_DIR   := $(ROOT)/bindings/go
RUBY_DIR := $(ROOT)/bindings/ruby

# cgo finds the header and the library in the tree; nothing is installed.
GO_ENV := CGO_ENABLED=1 CCX_EMULATOR=$(EMULATOR) \
	CGO_CFLAGS='-I$(ROOT)/include' \
	CGO_LDFLAGS='-L$(TARGET) -Wl,-rpath,$(TARGET) -lcloudconnexa'
RUBY_ENV := CLOUDCONNEXA_LIB=$(LIB_SO)

.PHONY: test-cpp test-go test-ruby demo-cpp demo-go demo-ruby \
	test-cpp-header

# --- C++ ---------------------------------------------------------------

$(BUILD)/tests/cpp/%: tests/cpp/%.cpp include/cloudconnexa.hpp \
		include/cloudconnexa.h build
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -o $@ $< $(C_LINK) -lgtest -lgtest_main -pthread

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
