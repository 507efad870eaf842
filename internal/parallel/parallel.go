// Package parallel runs the iterations of a loop on a fixed number of
// goroutines: the one worker pool of lsconf's data loading and texture
// generation.
package parallel

import (
	"context"
	"runtime"
	"sync"
)

// For calls fn(i) for every i in [0, n) on workers goroutines (0 =
// GOMAXPROCS), each i exactly once, and after each call done(count) with
// the number of calls finished so far (serialised; done may be nil). It
// stops handing out indices when ctx is cancelled and returns ctx.Err()
// once the calls in flight have returned; then some i were not called.
func For(ctx context.Context, n, workers int, fn func(i int), done func(count int)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	count := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				fn(i)
				if done != nil {
					mu.Lock()
					count++
					done(count)
					mu.Unlock()
				}
			}
		}()
	}
	var err error
feed:
	for i := 0; i < n; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	return err
}
