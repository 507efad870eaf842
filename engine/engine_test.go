package engine

import (
	"strings"
	"testing"
	"time"
)

// TestSelfTestAllParallelisms runs a graph at every worker count that used
// to deadlock upstream (2 on 2 cores); a hang fails the test instead of
// blocking the suite.
func TestSelfTestAllParallelisms(t *testing.T) {
	for _, c := range []Config{{Parallelism: 1}, {Parallelism: 2}, {Parallelism: 3}, {}, {Sequential: true}} {
		done := make(chan error, 1)
		go func() {
			b, err := New(c)
			if err != nil {
				done <- err
				return
			}
			defer b.Finalize()
			for i := 0; i < 20 && err == nil; i++ {
				err = SelfTest(b)
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%s: %v", c, err)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s: graph execution hung", c)
		}
	}
}

func TestBadConfig(t *testing.T) {
	if _, err := New(Config{Parallelism: -1}); err == nil {
		t.Error("negative parallelism: want error")
	}
}

// TestBackendChoice: "go" and "" make the Go backend; an unknown backend
// is an error; "xla" is an error naming the build tag unless lsconf was
// built with -tags xla.
func TestBackendChoice(t *testing.T) {
	for _, name := range []string{"", "go"} {
		b, err := New(Config{Parallelism: 1, Backend: name})
		if err != nil {
			t.Fatalf("backend %q: %v", name, err)
		}
		b.Finalize()
	}
	if _, err := New(Config{Backend: "tpu9000"}); err == nil || !strings.Contains(err.Error(), "want go, xla") {
		t.Errorf("unknown backend: %v", err)
	}
	if c := (Config{Backend: "xla:cuda", Parallelism: 2}); c.String() != "xla:cuda" {
		t.Errorf("xla config string %q", c.String())
	}
	if !xlaBuilt {
		if _, err := New(Config{Backend: "xla:cuda"}); err == nil || !strings.Contains(err.Error(), "-tags xla") {
			t.Errorf("xla in a build without it: %v", err)
		}
	}
}

// TestForkDetected: lsconf's own build carries the fork (go.mod's replace
// directive); Fork must say so, or New would run one worker.
func TestForkDetected(t *testing.T) {
	fork, err := Fork()
	if err != nil {
		t.Fatal(err)
	}
	if !fork {
		t.Fatal("Fork() = false in lsconf's own build (third_party/compute not in use?)")
	}
}
