// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/gomlx/compute/internal/gobackend"
)

// lsconf fork: fan-out helpers of the fork's ops (fast ConvGeneral, batch
// norm). Unlike Workers.Saturate, the calling goroutine (itself a pool
// worker running the node) works too, so parallelism=2 uses both cores.

// forkWorkers is the number of goroutines an lsconf-fork op may use.
func forkWorkers(backend *gobackend.Backend) int {
	if backend == nil || backend.Workers == nil || !backend.Workers.IsEnabled() {
		return 1
	}
	return max(1, backend.Workers.AdjustedMaxParallelism())
}

// forkParallel runs fn(worker, item) for item in [0, n) on up to workers
// goroutines (the caller's included), items taken in order from a shared
// counter. Extra goroutines start only when the backend's pool has room.
func forkParallel(backend *gobackend.Backend, workers, n int, fn func(worker, item int)) {
	var next atomic.Int64
	run := func(worker int) {
		for {
			item := int(next.Add(1)) - 1
			if item >= n {
				return
			}
			fn(worker, item)
		}
	}
	workers = min(workers, n)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		if !backend.Workers.StartIfAvailable(func() {
			defer wg.Done()
			run(w)
		}) {
			wg.Done()
			break
		}
	}
	run(0)
	wg.Wait()
}

// f32Pools recycle the fork's scratch buffers (packed operands,
// accumulators), which would otherwise be allocated and zeroed per call;
// f32Pools[i] holds slices of capacity 1<<i.
var f32Pools [48]sync.Pool

// getF32 returns a float32 slice of length n with unspecified contents.
func getF32(n int) []float32 {
	if n == 0 {
		return nil
	}
	b := bits.Len(uint(n - 1))
	if p, ok := f32Pools[b].Get().(*[]float32); ok {
		return (*p)[:n]
	}
	return make([]float32, n, 1<<b)
}

// putF32 gives a slice from getF32 back for reuse.
func putF32(s []float32) {
	c := cap(s)
	if c == 0 || c&(c-1) != 0 {
		return
	}
	s = s[:c]
	f32Pools[bits.Len(uint(c-1))].Put(&s)
}
