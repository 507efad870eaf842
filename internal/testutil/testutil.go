// Package testutil holds helpers shared by lsconf's tests.
package testutil

import (
	"testing"
	"time"
)

// Within runs fn on its own goroutine and fails t when fn does not return
// within d: a hung backend or pipeline must fail the suite, not hang it.
// fn reports failures with t.Error (t.Fatal on another goroutine does not
// stop the test).
func Within(t testing.TB, d time.Duration, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not finish within %v (backend hang?)", t.Name(), d)
	}
}
