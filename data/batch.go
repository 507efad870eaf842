package data

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// BatchConfig sets how a Batcher walks a Set.
type BatchConfig struct {
	// BatchSize is the number of images per batch (> 0).
	BatchSize int
	// Shuffle walks the set in a random order drawn from (Seed, epoch);
	// without it, in index order.
	Shuffle bool
	// Seed selects the shuffles.
	Seed uint64
	// DropLast drops a last, incomplete batch (a fixed batch shape avoids
	// recompiling a graph for the last batch).
	DropLast bool
	// Workers compute batches in the background (0 = GOMAXPROCS).
	Workers int
	// Prefetch is the number of batches computed ahead (0 = 2*Workers).
	Prefetch int
}

// Batch is a batch of images: NHWC pixels [N, Size, Size, 1] as a flat
// slice of N*Pixels float32 in [0, 1], and their labels.
type Batch struct {
	// Pixels holds N*Pixels values, image after image.
	Pixels []float32
	// Labels are the class indices, as int32 (GoMLX's sparse labels).
	Labels []int32
	// Indices are the images' indices in the Set.
	Indices []int
	// N is the number of images.
	N int
	// Number is the batch's position in its epoch, from 0.
	Number int
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("batcher closed")

// Batcher streams the batches of one epoch of a Set, computed by
// background goroutines ahead of the consumer. Batches come out in order,
// and their contents depend only on (Set, BatchConfig, epoch), never on
// goroutine timing. Memory is the epoch's order (one int32 per image) plus
// Prefetch+Workers batches.
type Batcher struct {
	set     Set
	cfg     BatchConfig
	order   []int32
	batches int
	queue   chan *pending
	quit    chan struct{}
	wg      sync.WaitGroup
	closed  bool
	once    sync.Once
	free    chan *Batch
	stopErr error
}

type pending struct {
	b    *Batch
	err  error
	done chan struct{}
}

// shuffleTag separates epoch shuffles from other random streams.
const shuffleTag = 0x73687566 // "shuf"

// EpochOrder returns the order in which the epoch visits a set of n
// images: a permutation drawn from (seed, epoch), or 0..n-1 when shuffle
// is false.
func EpochOrder(n int, shuffle bool, seed uint64, epoch int) []int32 {
	if !shuffle {
		o := make([]int32, n)
		for i := range o {
			o[i] = int32(i)
		}
		return o
	}
	return newRNG(seed, shuffleTag, uint64(epoch)).perm(n)
}

// NewBatcher starts streaming epoch (from 0) of s. Call Close when done,
// even after the last batch.
func NewBatcher(s Set, cfg BatchConfig, epoch int) (*Batcher, error) {
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("batcher: batch size %d", cfg.BatchSize)
	}
	n := s.Len()
	if n <= 0 {
		return nil, fmt.Errorf("batcher: empty set")
	}
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	pre := cfg.Prefetch
	if pre <= 0 {
		pre = 2 * workers
	}
	b := &Batcher{
		set:   s,
		cfg:   cfg,
		order: EpochOrder(n, cfg.Shuffle, cfg.Seed, epoch),
		queue: make(chan *pending, pre),
		quit:  make(chan struct{}),
		free:  make(chan *Batch, pre+workers+1),
	}
	b.batches = n / cfg.BatchSize
	if !cfg.DropLast && n%cfg.BatchSize != 0 {
		b.batches++
	}
	jobs := make(chan struct {
		k int
		p *pending
	})
	b.wg.Add(1)
	go func() { // dispatcher: hands out batch numbers in order
		defer b.wg.Done()
		defer close(jobs)
		defer close(b.queue)
		for k := 0; k < b.batches; k++ {
			p := &pending{done: make(chan struct{})}
			select {
			case b.queue <- p:
			case <-b.quit:
				return
			}
			select {
			case jobs <- struct {
				k int
				p *pending
			}{k, p}:
			case <-b.quit:
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			for j := range jobs {
				j.p.b, j.p.err = b.fill(j.k)
				close(j.p.done)
			}
		}()
	}
	return b, nil
}

// Batches is the number of batches of the epoch.
func (b *Batcher) Batches() int { return b.batches }

// fill computes batch k.
func (b *Batcher) fill(k int) (*Batch, error) {
	lo := k * b.cfg.BatchSize
	hi := min(lo+b.cfg.BatchSize, len(b.order))
	n := hi - lo
	var bt *Batch
	select {
	case bt = <-b.free:
	default:
		bt = &Batch{}
	}
	if cap(bt.Pixels) < n*Pixels {
		bt.Pixels = make([]float32, n*Pixels)
		bt.Labels = make([]int32, n)
		bt.Indices = make([]int, n)
	}
	bt.Pixels, bt.Labels, bt.Indices = bt.Pixels[:n*Pixels], bt.Labels[:n], bt.Indices[:n]
	bt.N, bt.Number = n, k
	for j := 0; j < n; j++ {
		i := int(b.order[lo+j])
		l, err := b.set.Image(i, bt.Pixels[j*Pixels:(j+1)*Pixels])
		if err != nil {
			return nil, fmt.Errorf("batch %d: %w", k, err)
		}
		bt.Labels[j] = int32(l)
		bt.Indices[j] = i
	}
	return bt, nil
}

// Next returns the next batch, or io.EOF after the last one. The batch
// belongs to the caller; handing it back with Release lets the Batcher
// reuse its memory.
func (b *Batcher) Next() (*Batch, error) {
	if b.stopErr != nil {
		return nil, b.stopErr
	}
	if b.closed {
		return nil, ErrClosed
	}
	p, ok := <-b.queue
	if !ok {
		return nil, io.EOF
	}
	<-p.done
	if p.err != nil {
		b.stopErr = p.err
		b.Close()
		return nil, p.err
	}
	return p.b, nil
}

// Release hands a batch back for reuse; the caller must not touch it
// afterwards.
func (b *Batcher) Release(bt *Batch) {
	if bt == nil {
		return
	}
	select {
	case b.free <- bt:
	default:
	}
}

// Close stops the background goroutines and waits for them. It is safe to
// call more than once.
func (b *Batcher) Close() {
	b.once.Do(func() {
		close(b.quit)
		// Let workers finish their current batch; drain the queue so
		// nothing blocks.
		go func() {
			for range b.queue {
			}
		}()
		b.wg.Wait()
	})
	b.closed = true
}
