package parallel

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestForCallsEachIndexOnce(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 64} {
		const n = 1000
		var calls [n]atomic.Int32
		last := 0
		err := For(context.Background(), n, workers, func(i int) { calls[i].Add(1) }, func(c int) {
			if c != last+1 {
				t.Errorf("done(%d) after done(%d)", c, last)
			}
			last = c
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range calls {
			if c := calls[i].Load(); c != 1 {
				t.Fatalf("workers %d: index %d called %d times", workers, i, c)
			}
		}
		if last != n {
			t.Fatalf("workers %d: done reached %d, want %d", workers, last, n)
		}
	}
}

func TestForStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	err := For(ctx, 1_000_000, 2, func(i int) {
		if calls.Add(1) == 10 {
			cancel()
		}
	}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if c := calls.Load(); c >= 1_000_000 || c < 10 {
		t.Fatalf("%d calls after cancelling at the 10th", c)
	}
}
