package train

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/lsconf/lsconf/data"
)

// epochOrder is the order in which epoch e (0-based) visits the n
// training images: data.EpochOrder's permutation (the order of the data
// package's Batcher), which depends only on the seed and the epoch, so a
// resumed run sees the same batches.
func epochOrder(seed uint64, epoch, n int) []int {
	o := data.EpochOrder(n, true, seed, epoch)
	out := make([]int, n)
	for i, v := range o {
		out[i] = int(v)
	}
	return out
}

// numBatches is the number of batches of an epoch of n images (the last
// one may be smaller).
func numBatches(n, batch int) int { return (n + batch - 1) / batch }

// loadIndices reads the images idx of set into x (len(idx)*Pixels) and
// their labels, mapped through lm, into y, using every CPU.
func loadIndices(set data.Set, idx []int, x []float32, y []int32, lm []int32) error {
	workers := min(runtime.NumCPU(), len(idx))
	if workers <= 1 {
		return loadSome(set, idx, 0, len(idx), x, y, lm)
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	per := (len(idx) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, len(idx))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = loadSome(set, idx, lo, hi, x, y, lm)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func loadSome(set data.Set, idx []int, lo, hi int, x []float32, y []int32, lm []int32) error {
	for j := lo; j < hi; j++ {
		label, err := set.Image(idx[j], x[j*data.Pixels:(j+1)*data.Pixels])
		if err != nil {
			return fmt.Errorf("image %d: %w", idx[j], err)
		}
		if label < 0 || label >= len(lm) {
			return fmt.Errorf("image %d: label %d outside the set's %d classes", idx[j], label, len(lm))
		}
		y[j] = lm[label]
	}
	return nil
}

// loadRange reads images start..start+k-1 of set.
func loadRange(set data.Set, start, k int, x []float32, y []int32, lm []int32) error {
	idx := make([]int, k)
	for i := range idx {
		idx[i] = start + i
	}
	return loadIndices(set, idx, x[:k*data.Pixels], y[:k], lm)
}

// batch is one training batch.
type batch struct {
	x   []float32
	y   []int32
	err error
}

// prefetch loads the batches from..to-1 of an epoch whose image order is
// order, one ahead of the consumer, on its own goroutine. Closing stop
// ends it early.
func prefetch(set data.Set, order []int, bs, from, to int, lm []int32, stop <-chan struct{}) <-chan batch {
	ch := make(chan batch, 1)
	go func() {
		defer close(ch)
		for b := from; b < to; b++ {
			idx := order[b*bs : min((b+1)*bs, len(order))]
			bt := batch{x: make([]float32, len(idx)*data.Pixels), y: make([]int32, len(idx))}
			bt.err = loadIndices(set, idx, bt.x, bt.y, lm)
			select {
			case ch <- bt:
			case <-stop:
				return
			}
			if bt.err != nil {
				return
			}
		}
	}()
	return ch
}
