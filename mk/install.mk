# Installing the library the way C packagers expect, and testing that.
#
#   make install [PREFIX=/usr/local] [DESTDIR=] [LIBDIR=$(PREFIX)/lib]
#   make uninstall (same variables)
#   make test-install
#
# `install` builds and installs the release library. test-install stages the
# debug build into a temporary DESTDIR: it checks the same layout and links
# without a second, slow optimised build.

PREFIX       ?= /usr/local
DESTDIR      ?=
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
INSTALL      ?= install

# What the static library needs from the system (pkg-config's
# Libs.private). `make install` takes it from rustc's own report on the
# release build; install-debug, which must not rebuild the tree's debug
# library under other running tests, uses this copy of that report
# (`make print-native-static-libs` shows the current one).
NATIVE_STATIC_LIBS_DEBUG := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

CCX_VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' \
                 $(ROOT)/Cargo.toml | head -n 1)
CCX_MAJOR   := $(word 1,$(subst ., ,$(CCX_VERSION)))
CCX_SO_REAL := libcloudconnexa.so.$(CCX_VERSION)
CCX_SO_NAME := libcloudconnexa.so.$(CCX_MAJOR)

# $(1): directory holding the built libcloudconnexa.so and .a;
# $(2): the libraries the static one needs.
define ccx_install
	$(INSTALL) -d '$(DESTDIR)$(LIBDIR)' '$(DESTDIR)$(INCLUDEDIR)' \
		'$(DESTDIR)$(PKGCONFIGDIR)'
	$(INSTALL) -m 755 $(1)/libcloudconnexa.so \
		'$(DESTDIR)$(LIBDIR)/$(CCX_SO_REAL)'
	ln -sfn $(CCX_SO_REAL) '$(DESTDIR)$(LIBDIR)/$(CCX_SO_NAME)'
	ln -sfn $(CCX_SO_NAME) '$(DESTDIR)$(LIBDIR)/libcloudconnexa.so'
	$(INSTALL) -m 644 $(1)/libcloudconnexa.a '$(DESTDIR)$(LIBDIR)/'
	$(INSTALL) -m 644 $(ROOT)/include/cloudconnexa.h \
		$(ROOT)/include/cloudconnexa.hpp '$(DESTDIR)$(INCLUDEDIR)/'
	libs_private="$(2)"; \
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
		-e 's|@VERSION@|$(CCX_VERSION)|' \
		-e "s|@LIBS_PRIVATE@|$$libs_private|" \
		$(ROOT)/cloudconnexa.pc.in \
		>'$(DESTDIR)$(PKGCONFIGDIR)/cloudconnexa.pc'
	chmod 644 '$(DESTDIR)$(PKGCONFIGDIR)/cloudconnexa.pc'
endef

.PHONY: install install-debug uninstall print-native-static-libs test-install

# rustc prints the native libraries while building (cargo replays the
# note when the library is already built), so the list cannot go stale.
install:
	@mkdir -p $(BUILD)
	$(CARGO) rustc --release -p cloudconnexa --lib -- \
		--print native-static-libs 2>$(BUILD)/release-build.log; \
		status=$$?; cat $(BUILD)/release-build.log >&2; exit $$status
	$(call ccx_install,$(ROOT)/target/release,$$(sed -n \
		's/.*native-static-libs: //p' $(BUILD)/release-build.log | \
		head -n 1))

# The debug library, for development machines and the tests.
install-debug: build
	$(call ccx_install,$(TARGET),$(NATIVE_STATIC_LIBS_DEBUG))

uninstall:
	rm -f '$(DESTDIR)$(LIBDIR)/$(CCX_SO_REAL)' \
		'$(DESTDIR)$(LIBDIR)/$(CCX_SO_NAME)' \
		'$(DESTDIR)$(LIBDIR)/libcloudconnexa.so' \
		'$(DESTDIR)$(LIBDIR)/libcloudconnexa.a' \
		'$(DESTDIR)$(INCLUDEDIR)/cloudconnexa.h' \
		'$(DESTDIR)$(INCLUDEDIR)/cloudconnexa.hpp' \
		'$(DESTDIR)$(PKGCONFIGDIR)/cloudconnexa.pc'

print-native-static-libs:
	$(CARGO) rustc -q -p cloudconnexa --lib -- --print native-static-libs \
		2>&1 | sed -n 's/.*native-static-libs: //p'

# Stages the debug build under build/stage and checks it from the outside:
# SONAME, symlinks, exported symbols, pkg-config, and a program built with
# nothing but pkg-config, linked dynamically and statically.
test-install: build
	rm -rf $(BUILD)/stage
	$(MAKE) --no-print-directory install-debug DESTDIR=$(BUILD)/stage \
		PREFIX=/usr/local LIBDIR=/usr/local/lib
	CC='$(CC)' CFLAGS='$(CFLAGS)' WITH_EMU='$(WITH_EMU)' \
		CCX_VERSION=$(CCX_VERSION) CCX_MAJOR=$(CCX_MAJOR) \
		$(ROOT)/tests/install/check.sh $(BUILD)/stage /usr/local \
		/usr/local/lib $(BUILD)/tests/install

TEST_TARGETS += test-install
