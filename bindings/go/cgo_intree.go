//go:build ccx_intree

package cloudconnexa

// With -tags ccx_intree the package uses the header and the debug library
// of the repository it sits in, so it builds and tests without installing.

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../target/debug
// #cgo LDFLAGS: -Wl,-rpath,${SRCDIR}/../../target/debug -lcloudconnexa
import "C"
