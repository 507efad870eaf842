package data

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/lsconf/lsconf/internal/testutil"
)

// epoch collects every batch of one epoch.
func epoch(t *testing.T, s Set, cfg BatchConfig, e int) []*Batch {
	t.Helper()
	var out []*Batch
	testutil.Within(t, 2*time.Minute, func() {
		b, err := NewBatcher(s, cfg, e)
		if err != nil {
			t.Error(err)
			return
		}
		defer b.Close()
		for {
			bt, err := b.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Error(err)
				return
			}
			out = append(out, bt)
		}
		if len(out) != b.Batches() {
			t.Errorf("%d batches, Batches() = %d", len(out), b.Batches())
		}
	})
	return out
}

func TestBatcherCoversEpochOnce(t *testing.T) {
	b := textures(t, TrainSet, 4, 1)
	s, _ := NewAugmentedSet(b, 3, DefaultAugment(), 1) // 180 images
	batches := epoch(t, s, BatchConfig{BatchSize: 32, Shuffle: true, Seed: 3}, 0)
	if len(batches) != 6 || batches[5].N != 180-5*32 {
		t.Fatalf("%d batches, last of %d", len(batches), batches[len(batches)-1].N)
	}
	seen := make([]bool, s.Len())
	px := make([]float32, Pixels)
	inOrder := true
	for k, bt := range batches {
		if bt.Number != k || len(bt.Pixels) != bt.N*Pixels || len(bt.Labels) != bt.N {
			t.Fatalf("batch %d: number %d, %d pixels, %d labels for %d images", k, bt.Number, len(bt.Pixels), len(bt.Labels), bt.N)
		}
		for j, i := range bt.Indices {
			if seen[i] {
				t.Fatalf("image %d twice in the epoch", i)
			}
			seen[i] = true
			if i != k*32+j {
				inOrder = false
			}
			l, _ := s.Image(i, px)
			if int32(l) != bt.Labels[j] {
				t.Fatalf("image %d: label %d in the batch, %d in the set", i, bt.Labels[j], l)
			}
			for p := range px {
				if px[p] != bt.Pixels[j*Pixels+p] {
					t.Fatalf("image %d: batch pixels differ from the set's", i)
				}
			}
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("image %d missing from the epoch", i)
		}
	}
	if inOrder {
		t.Fatal("shuffled epoch in index order")
	}
	// DropLast, no shuffle
	batches = epoch(t, s, BatchConfig{BatchSize: 32, DropLast: true}, 0)
	if len(batches) != 5 || batches[0].Indices[0] != 0 || batches[4].Indices[31] != 159 {
		t.Fatalf("unshuffled DropLast epoch: %d batches", len(batches))
	}
}

func TestBatcherDeterministic(t *testing.T) {
	b := textures(t, TrainSet, 4, 1)
	s, _ := NewAugmentedSet(b, 4, DefaultAugment(), 1)
	digest := func(bs []*Batch) string {
		return fmt.Sprint(hashSet(t, &batchSet{bs}))
	}
	ref := digest(epoch(t, s, BatchConfig{BatchSize: 16, Shuffle: true, Seed: 9, Workers: 1, Prefetch: 1}, 2))
	for _, w := range []int{2, 3, 8} {
		for _, p := range []int{1, 5} {
			if got := digest(epoch(t, s, BatchConfig{BatchSize: 16, Shuffle: true, Seed: 9, Workers: w, Prefetch: p}, 2)); got != ref {
				t.Fatalf("workers %d prefetch %d: batches differ from one worker's", w, p)
			}
		}
	}
	if digest(epoch(t, s, BatchConfig{BatchSize: 16, Shuffle: true, Seed: 9}, 3)) == ref {
		t.Fatal("epochs 2 and 3 gave the same batches")
	}
	if digest(epoch(t, s, BatchConfig{BatchSize: 16, Shuffle: true, Seed: 10}, 2)) == ref {
		t.Fatal("seeds 9 and 10 gave the same batches")
	}
}

// batchSet presents the images of a list of batches as a Set, in order.
type batchSet struct{ bs []*Batch }

func (s *batchSet) Len() int {
	n := 0
	for _, b := range s.bs {
		n += b.N
	}
	return n
}
func (s *batchSet) Classes() []string { return nil }
func (s *batchSet) Image(i int, dst []float32) (int, error) {
	for _, b := range s.bs {
		if i < b.N {
			copy(dst, b.Pixels[i*Pixels:(i+1)*Pixels])
			return int(b.Labels[i]), nil
		}
		i -= b.N
	}
	return 0, errors.New("out of range")
}

// failSet fails on one image.
type failSet struct {
	Set
	bad int
}

func (f failSet) Image(i int, dst []float32) (int, error) {
	if i == f.bad {
		return 0, errors.New("broken image")
	}
	return f.Set.Image(i, dst)
}

func TestBatcherErrorsAndClose(t *testing.T) {
	b := textures(t, TrainSet, 4, 1)
	testutil.Within(t, time.Minute, func() {
		bt, err := NewBatcher(failSet{b, 13}, BatchConfig{BatchSize: 4}, 0)
		if err != nil {
			t.Error(err)
			return
		}
		defer bt.Close()
		var got error
		n := 0
		for {
			x, err := bt.Next()
			if err != nil {
				got = err
				break
			}
			n++
			bt.Release(x)
		}
		if got == io.EOF || got == nil || n != 3 {
			t.Errorf("after %d batches: %v; want the broken image's error at batch 3", n, got)
		}
		if _, err := bt.Next(); err != got {
			t.Errorf("Next after an error: %v", err)
		}
	})
	// Closing early, many times, stops every goroutine.
	before := runtime.NumGoroutine()
	testutil.Within(t, time.Minute, func() {
		for k := 0; k < 20; k++ {
			bt, err := NewBatcher(b, BatchConfig{BatchSize: 2, Workers: 3, Prefetch: 2}, k)
			if err != nil {
				t.Error(err)
				return
			}
			if k%2 == 0 {
				bt.Next()
			}
			bt.Close()
			bt.Close()
			if _, err := bt.Next(); !errors.Is(err, ErrClosed) {
				t.Errorf("Next after Close: %v", err)
			}
		}
	})
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Fatalf("%d goroutines before, %d after closing 20 batchers", before, after)
	}
	if _, err := NewBatcher(b, BatchConfig{}, 0); err == nil {
		t.Error("batch size 0 accepted")
	}
	if _, err := NewBatcher(&MemSet{}, BatchConfig{BatchSize: 1}, 0); err == nil {
		t.Error("empty set accepted")
	}
}

func TestEpochOrder(t *testing.T) {
	a := EpochOrder(1000, true, 1, 0)
	b := EpochOrder(1000, true, 1, 0)
	c := EpochOrder(1000, true, 1, 1)
	same, seen := 0, make([]bool, 1000)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("same seed and epoch, different orders")
		}
		if a[i] == c[i] {
			same++
		}
		seen[a[i]] = true
	}
	for i, ok := range seen {
		if !ok {
			t.Fatalf("%d missing: not a permutation", i)
		}
	}
	if same > 20 {
		t.Fatalf("epochs 0 and 1 agree on %d of 1000 positions", same)
	}
}
