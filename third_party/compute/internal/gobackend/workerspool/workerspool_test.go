package workerspool

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gomlx/compute/support/testutil"
	"github.com/gomlx/compute/support/xsync"
)

func TestPool_Saturate(t *testing.T) {
	// Test saturation.
	pool := New()
	wantTasks := 5
	pool.SetMaxParallelism(wantTasks)

	var count atomic.Int32
	doneNewTasks := xsync.NewLatch()
	doneTest := xsync.NewLatch()

	go func() {
		pool.Saturate(func() {
			got := count.Add(1)
			runtime.Gosched()
			if int(got) == wantTasks {
				doneNewTasks.Trigger()
				return
			}
			doneNewTasks.Wait()
		})
		doneTest.Trigger()
	}()

	select {
	case <-doneTest.WaitChan():
		// Success
	case <-time.After(100 * time.Millisecond):
		t.Fatal("Timeout before all tasks were executed.")
	}
	if int(count.Load()) != wantTasks {
		t.Fatalf("Expected %d tasks, got %d", wantTasks, count.Load())
	}

	// Test No Parallelism
	pool.SetMaxParallelism(0)
	count.Store(0)
	pool.Saturate(func() { count.Add(1) })
	if ok, diff := testutil.IsEqual(int32(1), count.Load()); !ok {
		t.Errorf("Pool with parallelism 0 result mismatch:\n%s", diff)
	}

	// Test Unlimited
	pool.SetMaxParallelism(-1)
	count.Store(0)
	var started atomic.Int32
	pool.Saturate(func() {
		started.Add(1)
		runtime.Gosched()
		count.Add(1)
	})
	if started.Load() <= 1 {
		t.Errorf("Expected more than 1 started task for unlimited parallelism, got %d", started.Load())
	}
	if count.Load() != started.Load() {
		t.Errorf("Expected count %d to match started %d", count.Load(), started.Load())
	}
}

// TestPool_NestedNoDeadlock is the lsconf fork's regression test: with
// parallelism 2, two workers that each fan out with Saturate (two
// concurrent matmul nodes) or nested WaitToStart used to wait for each
// other forever.
func TestPool_NestedNoDeadlock(t *testing.T) {
	for _, par := range []int{1, 2, 3} {
		pool := New()
		pool.SetMaxParallelism(par)
		done := make(chan struct{})
		go func() {
			var outer sync.WaitGroup
			var work atomic.Int64
			for n := 0; n < 8; n++ {
				outer.Add(1)
				pool.WaitToStart(func() {
					defer outer.Done()
					var items atomic.Int32
					items.Store(100)
					pool.Saturate(func() {
						for items.Add(-1) >= 0 {
							work.Add(1)
							time.Sleep(10 * time.Microsecond)
						}
					})
					var inner sync.WaitGroup
					for c := 0; c < 4; c++ {
						inner.Add(1)
						pool.WaitToStart(func() { defer inner.Done(); work.Add(1) })
					}
					inner.Wait()
				})
			}
			outer.Wait()
			if got := work.Load(); got != 8*104 {
				t.Errorf("parallelism %d: %d work items done, want %d", par, got, 8*104)
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("parallelism %d: nested Saturate/WaitToStart deadlocked", par)
		}
	}
}
