package cloudconnexa

// #include "cloudconnexa.h"
import "C"

// Status is the library's status code (ccx_status). It is also an error
// value, so that errors.Is(err, StatusNotFound) works on any *Error.
type Status int32

// The status codes of the C ABI; the numbers are fixed.
const (
	StatusOK              Status = 0
	StatusInvalidArgument Status = 1
	StatusConfig          Status = 2
	StatusAuth            Status = 3
	StatusForbidden       Status = 4
	StatusNotFound        Status = 5
	StatusConflict        Status = 6
	StatusValidation      Status = 7
	StatusRateLimited     Status = 8
	StatusServer          Status = 9
	StatusHTTP            Status = 10
	StatusNetwork         Status = 11
	StatusTimeout         Status = 12
	StatusResponse        Status = 13
	StatusAmbiguous       Status = 14
	StatusUnsupported     Status = 15
	StatusInternal        Status = 16
)

// String is the library's static name of the status, e.g. "not found".
func (s Status) String() string {
	return C.GoString(C.ccx_status_str(C.ccx_status(s)))
}

func (s Status) Error() string { return "cloudconnexa: " + s.String() }

// Error is a failed call, as the library recorded it on the thread that
// made the call.
type Error struct {
	Status     Status
	HTTPStatus int    // 0 when no HTTP reply was involved
	Message    string // never contains the client secret or a token
	Body       string // the failing reply's body (capped), or ""
}

func (e *Error) Error() string {
	return "cloudconnexa: " + e.Message + " (" + e.Status.String() + ")"
}

// Is makes errors.Is(err, StatusNotFound) and the like true.
func (e *Error) Is(target error) bool {
	s, ok := target.(Status)
	return ok && s == e.Status
}
