package flock

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestLockHeldRelease(t *testing.T) {
	p := filepath.Join(t.TempDir(), "l")
	if Held(p) {
		t.Fatal("a missing lock file is held")
	}
	unlock, err := Lock(p)
	if err != nil {
		t.Fatal(err)
	}
	if !Held(p) {
		t.Fatal("a taken lock is not held")
	}
	if _, err := Lock(p); !errors.Is(err, ErrHeld) {
		t.Fatalf("second Lock: %v, want ErrHeld", err)
	}
	unlock()
	unlock()
	if Held(p) {
		t.Fatal("a released lock is held")
	}
}
