#!/usr/bin/env bash
# Checks a staged `make install` from the outside, as a packager would.
#
#   check.sh STAGE PREFIX LIBDIR WORKDIR
#
# STAGE is the DESTDIR the library was installed into. Needs CC, CFLAGS,
# WITH_EMU (the emulator runner), CCX_VERSION and CCX_MAJOR in the
# environment.
set -euo pipefail

stage=$1 prefix=$2 libdir=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
lib=$stage$libdir
passed=0 failed=0

ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "test-install: FAIL: $*" >&2; }
expect() { # expect WHAT GOT WANT
    if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', want '$3'"; fi
}

mkdir -p "$work"

# The file layout and the SONAME chain .so -> .so.MAJOR -> .so.X.Y.Z.
real=libcloudconnexa.so.$CCX_VERSION
expect "real library is a file" "$(stat -c %F "$lib/$real")" "regular file"
expect ".so.$CCX_MAJOR link" \
    "$(readlink "$lib/libcloudconnexa.so.$CCX_MAJOR")" "$real"
expect ".so link" "$(readlink "$lib/libcloudconnexa.so")" \
    "libcloudconnexa.so.$CCX_MAJOR"
soname=$(readelf -d "$lib/$real" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
expect "SONAME" "$soname" "libcloudconnexa.so.$CCX_MAJOR"
for f in "$lib/libcloudconnexa.a" "$stage$prefix/include/cloudconnexa.h" \
    "$stage$prefix/include/cloudconnexa.hpp" \
    "$lib/pkgconfig/cloudconnexa.pc"; do
    if [ -f "$f" ]; then ok; else fail "missing $f"; fi
done

# Exactly the functions the header declares are exported, all ccx_.
nm -D --defined-only "$lib/$real" | awk '{print $3}' | sort >"$work/exported"
grep -oE '[a-z_0-9]+\(' "$stage$prefix/include/cloudconnexa.h" |
    grep -E '^ccx_' | tr -d '(' | sort -u >"$work/declared"
if diff -u "$work/declared" "$work/exported" >"$work/symbols.diff"; then
    ok
else
    fail "exported symbols differ from the header:"
    cat "$work/symbols.diff" >&2
fi

# pkg-config sees the staged prefix through its sysroot variable, the way
# a cross-build or a package build would.
export PKG_CONFIG_PATH=$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_LIBDIR=$lib/pkgconfig
expect "pkg-config version" "$(pkg-config --modversion cloudconnexa)" \
    "$CCX_VERSION"
cflags=$(pkg-config --cflags cloudconnexa)
libs=$(pkg-config --libs cloudconnexa)
static_libs=$(pkg-config --static --libs cloudconnexa)
case "$static_libs" in
    *-lpthread*) ok ;;
    *) fail "Libs.private lacks the system libraries: $static_libs" ;;
esac

# Dynamic: nothing but what pkg-config says.
# shellcheck disable=SC2086
$CC $CFLAGS -DEXPECTED_VERSION="\"$CCX_VERSION\"" -o "$work/smoke" \
    "$here/smoke.c" $cflags $libs
needed=$(readelf -d "$work/smoke" |
    sed -n 's/.*(NEEDED).*\[\(libcloud.*\)\]/\1/p')
expect "dynamic program needs" "$needed" "libcloudconnexa.so.$CCX_MAJOR"
if LD_LIBRARY_PATH=$lib env $WITH_EMU --no-rate-limit -- "$work/smoke"; then
    ok
else
    fail "dynamically linked smoke program"
fi

# Static: the same flags with --static; -l: picks the archive even though
# the shared library sits next to it.
# shellcheck disable=SC2086
$CC $CFLAGS -DEXPECTED_VERSION="\"$CCX_VERSION\"" -o "$work/smoke-static" \
    "$here/smoke.c" $cflags ${static_libs/-lcloudconnexa/-l:libcloudconnexa.a}
if readelf -d "$work/smoke-static" | grep -q 'libcloudconnexa'; then
    fail "static program still needs the shared library"
else
    ok
fi
if env $WITH_EMU --no-rate-limit -- "$work/smoke-static"; then
    ok
else
    fail "statically linked smoke program"
fi

echo "test-install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
