package web

import (
	"context"
	"fmt"
	"sync"

	"github.com/lsconf/lsconf/index"
)

// DefaultMaxEncodeBatch is the most queued image queries encoded in one
// model call.
const DefaultMaxEncodeBatch = 64

// batcher encodes the image queries that arrive together as one batch:
// while the model encodes a batch, new queries queue; the next batch takes
// all of them (up to max). There is no waiting window: a query that
// arrives when the model is idle is encoded at once, alone. No goroutine
// lives longer than the queue stays non-empty.
type batcher struct {
	m       index.Model
	max     int
	mu      sync.Mutex
	queue   []*encodeReq
	running bool
}

type encodeReq struct {
	ctx  context.Context
	px   []float32
	z    []float32
	err  error
	done chan struct{}
}

func newBatcher(m index.Model, max int) *batcher {
	return &batcher{m: m, max: max}
}

// encode returns the encoding of one image of index.Pixels values.
func (b *batcher) encode(ctx context.Context, px []float32) ([]float32, error) {
	r := &encodeReq{ctx: ctx, px: px, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, r)
	if !b.running {
		b.running = true
		go b.loop()
	}
	b.mu.Unlock()
	select {
	case <-r.done:
		return r.z, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loop encodes queued batches until the queue is empty.
func (b *batcher) loop() {
	for {
		b.mu.Lock()
		var batch []*encodeReq
		for len(b.queue) > 0 && len(batch) < b.max {
			r := b.queue[0]
			b.queue[0] = nil
			b.queue = b.queue[1:]
			if r.ctx.Err() != nil {
				continue // its client left; its waiter has returned
			}
			batch = append(batch, r)
		}
		if len(batch) == 0 {
			b.running = false
			b.queue = nil
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.run(batch)
	}
}

func (b *batcher) run(batch []*encodeReq) {
	n := len(batch)
	imgs := make([]float32, 0, n*index.Pixels)
	for _, r := range batch {
		imgs = append(imgs, r.px...)
	}
	z, err := safeEncode(b.m, imgs, n)
	if err == nil && len(z)%n != 0 {
		err = fmt.Errorf("the model returned %d values for %d images", len(z), n)
	}
	nd := 0
	if err == nil {
		nd = len(z) / n
	}
	for i, r := range batch {
		if err != nil {
			r.err = err
		} else {
			r.z = z[i*nd : (i+1)*nd : (i+1)*nd]
		}
		close(r.done)
	}
}

// safeEncode is m.Encode with a panic turned into an error.
func safeEncode(m index.Model, imgs []float32, n int) (z []float32, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("encode %d images: %v", n, p)
		}
	}()
	return m.Encode(imgs, n)
}

// batchedModel is the server's model as search.Searcher.Run sees it (an image query):
// a single image goes through the batcher (encoded with the uploads that
// arrive at the same time); anything else goes straight to the model.
type batchedModel struct {
	index.Model
	b   *batcher
	ctx context.Context
}

// Encode encodes n images; one image joins the batcher's queue.
func (m batchedModel) Encode(px []float32, n int) ([]float32, error) {
	if n != 1 {
		return m.Model.Encode(px, n)
	}
	return m.b.encode(m.ctx, px)
}
