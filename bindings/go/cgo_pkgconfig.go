//go:build !ccx_intree

package cloudconnexa

// An installed library (make install) is found through pkg-config.

// #cgo pkg-config: cloudconnexa
import "C"
