// Package cloudconnexa is the Go binding of libcloudconnexa, a client for
// OpenVPN's CloudConnexa REST API.
//
// A Client is safe for use by many goroutines. Resource methods take and
// return the API's JSON unchanged, as strings. Every failure is an *Error
// carrying the library's status code, the HTTP status and the server's
// error body; errors.Is(err, StatusNotFound) tests the status.
//
// The package links the C library with cgo. By default it asks pkg-config
// for an installed libcloudconnexa; inside the repository, build with
// -tags ccx_intree to use include/ and target/debug instead.
package cloudconnexa

// #include <stdlib.h>
// #include "ccxgo.h"
import "C"

import (
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// Client is a CloudConnexa API client. Create it with NewClient and
// release it with Close; a client that is never closed is freed when the
// garbage collector finds it unreachable.
type Client struct {
	// Calls hold the read lock, Close the write lock, so Close waits for
	// calls in flight and no call can reach a freed handle.
	mu  sync.RWMutex
	ptr *C.ccx_client
}

// freed counts handles released, so tests can see Close and the
// finalizer free each client exactly once.
var freed atomic.Int64

// NewClient makes a client without any network I/O. An empty argument
// falls back to CLOUDCONNEXA_API_URL, CLOUDCONNEXA_CLIENT_ID,
// CLOUDCONNEXA_CLIENT_SECRET or CLOUDCONNEXA_API_VERSION. The error is an
// *Error with StatusConfig when something is missing or malformed.
func NewClient(apiURL, clientID, clientSecret,
	apiVersion string) (*Client, error) {
	var k C.ccxgo_call
	args := []arg{opt("apiURL", apiURL), opt("clientID", clientID),
		opt("clientSecret", clientSecret), opt("apiVersion", apiVersion)}
	free, err := setStrings(&k, args)
	if err != nil {
		return nil, err
	}
	defer free()

	ptr := C.ccxgo_client_new(&k)
	if ptr == nil {
		return nil, takeError(k.err.status, &k.err)
	}

	c := &Client{ptr: ptr}
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Close frees the client and wipes its secret and token from memory. It
// waits for calls in flight; later calls fail with StatusInvalidArgument.
// Closing twice is harmless.
func (c *Client) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ptr == nil {
		return
	}
	C.ccx_client_free(c.ptr)
	c.ptr = nil
	freed.Add(1)
	runtime.SetFinalizer(c, nil)
}

// Version is the version of the C library in use, e.g. "0.1.0".
func Version() string {
	return C.GoString(C.ccx_version())
}

// arg is one named string argument; omit passes NULL where the API
// allows it.
type arg struct {
	name  string
	value string
	omit  bool
}

func str(name, s string) arg { return arg{name: name, value: s} }

// opt leaves out an empty string (NULL): an optional parent id, or a
// NewClient argument that comes from the environment.
func opt(name, s string) arg {
	return arg{name: name, value: s, omit: s == ""}
}

func (a arg) c() *C.char {
	if a.omit {
		return nil
	}
	return C.CString(a.value)
}

// setStrings copies args into C memory and returns the function that
// frees them again. A C string ends at its first NUL byte, so a Go
// string holding one would reach the library cut short (a different ID,
// a truncated body); such an argument is refused before anything is
// copied, with StatusInvalidArgument.
func setStrings(k *C.ccxgo_call, args []arg) (func(), error) {
	for _, a := range args {
		if !a.omit && strings.IndexByte(a.value, 0) >= 0 {
			return nil, &Error{Status: StatusInvalidArgument,
				Message: "argument " + a.name +
					" contains a NUL byte"}
		}
	}
	for i, a := range args {
		k.s[i] = a.c()
	}
	return func() {
		for i := range args {
			C.free(unsafe.Pointer(k.s[i]))
			k.s[i] = nil
		}
	}, nil
}

// invoke runs one wrapped C call under the read lock and turns its
// outcome into Go values.
func (c *Client) invoke(args []arg, k *C.ccxgo_call,
	fn func(*C.ccx_client, *C.ccxgo_call) C.ccx_status) (string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return "", &Error{Status: StatusInvalidArgument,
			Message: "the client is closed"}
	}
	free, err := setStrings(k, args)
	if err != nil {
		return "", err
	}
	defer free()

	status := fn(c.ptr, k)

	var json string
	if k.out != nil {
		json = C.GoString(k.out)
		C.ccx_string_free(k.out)
		k.out = nil
	}
	if status != C.CCX_OK {
		return "", takeError(status, &k.err)
	}
	return json, nil
}

// takeError turns the copied last error into an *Error and frees the
// copies.
func takeError(status C.ccx_status, e *C.ccxgo_error) *Error {
	err := &Error{
		Status:     Status(status),
		HTTPStatus: int(e.http_status),
		Message:    C.GoString(e.message),
		Body:       C.GoString(e.body),
	}
	C.free(unsafe.Pointer(e.message))
	C.free(unsafe.Pointer(e.body))
	e.message, e.body = nil, nil
	return err
}

// The calls below, one per parameter shape, take the C function itself.

func (c *Client) callNone(fn C.ccxgo_fn_none) error {
	var k C.ccxgo_call
	_, err := c.invoke(nil, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_none(fn, p, k)
		})
	return err
}

func (c *Client) callU(fn C.ccxgo_fn_u, u uint32) error {
	k := C.ccxgo_call{u: C.uint32_t(u)}
	_, err := c.invoke(nil, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_u(fn, p, k)
		})
	return err
}

func (c *Client) callO(fn C.ccxgo_fn_o) (string, error) {
	var k C.ccxgo_call
	return c.invoke(nil, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_o(fn, p, k)
		})
}

func (c *Client) callIIO(fn C.ccxgo_fn_iio, page, size int32) (string, error) {
	k := C.ccxgo_call{i: [2]C.int32_t{C.int32_t(page), C.int32_t(size)}}
	return c.invoke(nil, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_iio(fn, p, k)
		})
}

func (c *Client) callS(fn C.ccxgo_fn_s, a arg) error {
	var k C.ccxgo_call
	_, err := c.invoke([]arg{a}, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_s(fn, p, k)
		})
	return err
}

func (c *Client) callSO(fn C.ccxgo_fn_so, a arg) (string, error) {
	var k C.ccxgo_call
	return c.invoke([]arg{a}, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_so(fn, p, k)
		})
}

func (c *Client) callSS(fn C.ccxgo_fn_ss, a, b arg) error {
	var k C.ccxgo_call
	_, err := c.invoke([]arg{a, b}, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_ss(fn, p, k)
		})
	return err
}

func (c *Client) callSIIO(fn C.ccxgo_fn_siio, a arg,
	page, size int32) (string, error) {
	k := C.ccxgo_call{i: [2]C.int32_t{C.int32_t(page), C.int32_t(size)}}
	return c.invoke([]arg{a}, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_siio(fn, p, k)
		})
}

func (c *Client) callSSIO(fn C.ccxgo_fn_ssio, a, b arg,
	size int32) (string, error) {
	k := C.ccxgo_call{i: [2]C.int32_t{C.int32_t(size)}}
	return c.invoke([]arg{a, b}, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_ssio(fn, p, k)
		})
}

func (c *Client) callSSO(fn C.ccxgo_fn_sso, a, b arg) (string, error) {
	var k C.ccxgo_call
	return c.invoke([]arg{a, b}, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_sso(fn, p, k)
		})
}

func (c *Client) callSSSO(fn C.ccxgo_fn_ssso, a, b, d arg) (string, error) {
	var k C.ccxgo_call
	return c.invoke([]arg{a, b, d}, &k,
		func(p *C.ccx_client, k *C.ccxgo_call) C.ccx_status {
			return C.ccxgo_ssso(fn, p, k)
		})
}

// Authenticate fetches a token now if the client has no valid one. Other
// calls fetch and refresh tokens by themselves.
func (c *Client) Authenticate() error {
	return c.callNone(C.ccxgo_fn_none(C.ccx_authenticate))
}

// TokenExpiresAt is when the current token expires; the zero Time if the
// client has none.
func (c *Client) TokenExpiresAt() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.ptr == nil {
		return time.Time{}
	}
	seconds := int64(C.ccx_token_expires_at(c.ptr))
	if seconds == 0 {
		return time.Time{}
	}
	return time.Unix(seconds, 0)
}

// Request calls any API path relative to /api/v1, query included, and
// returns the reply's JSON. An empty body sends none.
func (c *Client) Request(method, path, body string) (string, error) {
	return c.callSSSO(C.ccxgo_fn_ssso(C.ccx_request), str("method", method),
		str("path", path), opt("body", body))
}

// SetTimeout limits each request; the library counts whole milliseconds.
func (c *Client) SetTimeout(timeout time.Duration) error {
	return c.callU(C.ccxgo_fn_u(C.ccx_client_set_timeout_ms),
		uint32(timeout.Milliseconds()))
}

// SetMaxRetries sets how often a retryable failure is tried again.
func (c *Client) SetMaxRetries(n uint32) error {
	return c.callU(C.ccxgo_fn_u(C.ccx_client_set_max_retries), n)
}

// SetPageSize sets the page size the List methods fetch with.
func (c *Client) SetPageSize(size uint32) error {
	return c.callU(C.ccxgo_fn_u(C.ccx_client_set_page_size), size)
}

// SetUserAgent replaces the User-Agent header.
func (c *Client) SetUserAgent(userAgent string) error {
	return c.callS(C.ccxgo_fn_s(C.ccx_client_set_user_agent),
		str("userAgent", userAgent))
}

// SetProxy sends requests through proxyURL; "" turns the proxy off.
func (c *Client) SetProxy(proxyURL string) error {
	return c.callS(C.ccxgo_fn_s(C.ccx_client_set_proxy),
		opt("proxyURL", proxyURL))
}
