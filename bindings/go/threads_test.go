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
	c := newClient(t)
	onManyGoroutines(t, 64, 1000, "errors described another call",
		func(g, i int) string {
			id := fmt.Sprintf("g%d-i%d", g, i)
			_, err := c.NetworksGet(id)
			if problem := wrongError(err, id); problem != "" {
				return "call " + id + ": " + problem
			}
			return ""
		})
}

// onManyGoroutines runs check(g, i) calls times on each of goroutines
// goroutines, yielding between calls to invite the scheduler to move them
// between OS threads, and fails with the first few problems it reports.
func onManyGoroutines(t *testing.T, goroutines, calls int, summary string,
	check func(g, i int) string) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var problems int
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				if problem := check(g, i); problem != "" {
					mu.Lock()
					if problems < 5 {
						t.Error(problem)
					}
					problems++
					mu.Unlock()
				}
				runtime.Gosched()
			}
		}(g)
	}
	wg.Wait()
	if problems > 0 {
		t.Fatalf("%d of %d %s", problems, goroutines*calls, summary)
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
	onManyGoroutines(t, 16, 150, "failures lost their status",
		func(g, i int) string {
			good, err := NewClient("http://127.0.0.1:9", "id", "secret", "")
			if err != nil {
				return fmt.Sprintf("good arguments: %v", err)
			}
			good.Close()
			url := fmt.Sprintf("bad-%d-%d", g, i)
			_, err = NewClient(url, "id", "secret", "")
			var e *Error
			if !errors.As(err, &e) || e.Status != StatusConfig ||
				!strings.Contains(e.Message, url) {
				return fmt.Sprintf("%s: got %v", url, err)
			}
			return ""
		})
}
