package cloudconnexa

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Scenario 26: a goroutine can move to another OS thread between two cgo
// calls, and the library's last error is per OS thread. Each failing call
// names its own id, so an error read on the wrong thread shows up as a
// message about another call.
func TestEveryErrorDescribesItsOwnCall(t *testing.T) {
	const goroutines, calls = 64, 1000
	c := newClient(t)

	var wg sync.WaitGroup
	var mu sync.Mutex
	var mismatches int
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				id := fmt.Sprintf("g%d-i%d", g, i)
				_, err := c.NetworksGet(id)
				if problem := wrongError(err, id); problem != "" {
					mu.Lock()
					if mismatches < 5 {
						t.Errorf("call %s: %s", id, problem)
					}
					mismatches++
					mu.Unlock()
				}
				// Invite the scheduler to move this goroutine.
				runtime.Gosched()
			}
		}(g)
	}
	wg.Wait()
	if mismatches > 0 {
		t.Fatalf("%d of %d errors described another call", mismatches,
			goroutines*calls)
	}
}

func wrongError(err error, id string) string {
	var e *Error
	if !errors.As(err, &e) {
		return fmt.Sprintf("not an *Error: %v", err)
	}
	switch {
	case e.Status != StatusNotFound || e.HTTPStatus != 404:
		return fmt.Sprintf("status %v, HTTP %d", e.Status, e.HTTPStatus)
	case !strings.Contains(e.Message, "ID "+id+" not found"):
		return "message " + e.Message
	case !strings.Contains(e.Body, "ID "+id+" not found"):
		return "body " + e.Body
	}
	return ""
}

// NewClient reports its failure through the same per-thread last error.
// Good and bad constructions run interleaved on many goroutines, so a
// status read on another OS thread would be some other call's CCX_OK.
func TestEveryNewClientFailureKeepsItsStatus(t *testing.T) {
	const goroutines, calls = 16, 150
	var wg sync.WaitGroup
	var mu sync.Mutex
	var mismatches int
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				good, err := NewClient("http://127.0.0.1:9",
					"id", "secret", "")
				if err != nil {
					t.Errorf("good arguments: %v", err)
					return
				}
				good.Close()
				url := fmt.Sprintf("bad-%d-%d", g, i)
				_, err = NewClient(url, "id", "secret", "")
				var e *Error
				if !errors.As(err, &e) || e.Status != StatusConfig ||
					!strings.Contains(e.Message, url) {
					mu.Lock()
					if mismatches < 5 {
						t.Errorf("%s: got %v", url, err)
					}
					mismatches++
					mu.Unlock()
				}
				runtime.Gosched()
			}
		}(g)
	}
	wg.Wait()
	if mismatches > 0 {
		t.Fatalf("%d of %d failures lost their status", mismatches,
			goroutines*calls)
	}
}
