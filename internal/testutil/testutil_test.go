package testutil

import (
	"strings"
	"testing"
	"time"
)

// fakeT records Fatalf instead of stopping the test.
type fakeT struct {
	testing.TB
	msg string
}

func (f *fakeT) Helper()                           {}
func (f *fakeT) Name() string                      { return "fake" }
func (f *fakeT) Fatalf(format string, args ...any) { f.msg = format }

// TestWithin: a quick fn passes, a slow one is reported.
func TestWithin(t *testing.T) {
	ran := false
	Within(t, time.Second, func() { ran = true })
	if !ran {
		t.Fatal("fn did not run")
	}
	f := &fakeT{TB: t}
	release := make(chan struct{})
	defer close(release)
	Within(f, 10*time.Millisecond, func() { <-release })
	if !strings.Contains(f.msg, "did not finish") {
		t.Fatalf("slow fn: %q", f.msg)
	}
}
