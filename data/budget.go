package data

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"runtime/debug"
	"sync"
)

// DefaultDecodeBudget is the memory rule of every path that decodes user
// images (the loader of train, encode, data check and index, and the
// server's uploads): the images being decoded at once may take at most
// this many bytes, counted from their headers before decoding (see
// DecodedBytes). An image larger than the whole budget is refused with a
// clear reason; smaller ones wait for their turn. Peak memory is then
// bounded by the budget, not by the input or the number of cores.
const DefaultDecodeBudget = 512 << 20

// freeAfterBytes is the decoded size after which a decode's memory is
// returned to the system at once (not minutes later by the scavenger).
const freeAfterBytes = 64 << 20

// ErrOverBudget is returned (wrapped) for an image whose decoded size
// alone exceeds the decode budget.
var ErrOverBudget = errors.New("over the decode budget")

// DecodeBudget is a weighted semaphore over the bytes of the images being
// decoded, with a cap on how many decode at once. Waiters are served first
// come, first served (a large image is not starved by small ones, nor a
// request by later ones). One budget is shared by every decoder of a
// process part (a LoadImageFolder call, a server); it holds no global
// state.
type DecodeBudget struct {
	mu    sync.Mutex
	max   int64
	used  int64
	slots int
	cap   int
	queue []*waiter
}

// waiter is one Acquire waiting for n bytes; ready is closed when granted.
type waiter struct {
	n     int64
	ready chan struct{}
}

// NewDecodeBudget returns a budget of max bytes (<= 0: DefaultDecodeBudget)
// and at most slots decodes at once (<= 0: no cap but the bytes).
func NewDecodeBudget(max int64, slots int) *DecodeBudget {
	if max <= 0 {
		max = DefaultDecodeBudget
	}
	if slots <= 0 {
		slots = int(^uint(0) >> 1)
	}
	return &DecodeBudget{max: max, cap: slots}
}

// Max is the budget's size in bytes.
func (b *DecodeBudget) Max() int64 { return b.max }

// Waiting is the number of Acquire calls waiting now.
func (b *DecodeBudget) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// InUse is the number of bytes held now.
func (b *DecodeBudget) InUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Check refuses an image whose decoded size n alone exceeds the budget
// (wrapping ErrOverBudget), naming its size.
func (b *DecodeBudget) Check(cfg image.Config, n int64) error {
	if n > b.max {
		return fmt.Errorf("%w: a %dx%d image needs %d MiB to decode, at most %d MiB are decoded at once",
			ErrOverBudget, cfg.Width, cfg.Height, n>>20, b.max>>20)
	}
	return nil
}

// Acquire waits, in arrival order, until n bytes and one decode slot are
// free (or ctx ends). n must not exceed the budget (Check).
func (b *DecodeBudget) Acquire(ctx context.Context, n int64) error {
	b.mu.Lock()
	if len(b.queue) == 0 && b.fits(n) {
		b.used += n
		b.slots++
		b.mu.Unlock()
		return nil
	}
	w := &waiter{n: n, ready: make(chan struct{})}
	b.queue = append(b.queue, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		b.mu.Lock()
		select {
		case <-w.ready: // granted meanwhile: give it back
			b.mu.Unlock()
			b.Release(n)
		default:
			for i, x := range b.queue {
				if x == w {
					b.queue = append(b.queue[:i], b.queue[i+1:]...)
					break
				}
			}
			b.grant()
			b.mu.Unlock()
		}
		return ctx.Err()
	}
}

func (b *DecodeBudget) fits(n int64) bool { return b.used+n <= b.max && b.slots < b.cap }

// grant hands the budget to the waiters at the head of the queue that
// fit, in order (b.mu held).
func (b *DecodeBudget) grant() {
	for len(b.queue) > 0 && b.fits(b.queue[0].n) {
		w := b.queue[0]
		b.queue = b.queue[1:]
		b.used += w.n
		b.slots++
		close(w.ready)
	}
}

// Release returns n bytes and the slot; a large decode's memory is given
// back to the system at once, so that the next one starts from a small
// heap.
func (b *DecodeBudget) Release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.slots--
	b.grant()
	b.mu.Unlock()
	if n >= freeAfterBytes {
		debug.FreeOSMemory()
	}
}

// DecodedBytes is the memory an image costs to decode and reduce to a base
// image, from its header: width * height * the bytes per pixel of its
// colour model (8 for 16-bit RGBA), plus toBase's row buffers.
func DecodedBytes(cfg image.Config) int64 {
	var bpp int64
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model:
		bpp = 8
	case color.Gray16Model:
		bpp = 2
	case color.GrayModel, color.AlphaModel:
		bpp = 1
	case color.YCbCrModel:
		bpp = 3
	case color.CMYKModel, color.RGBAModel, color.NRGBAModel:
		bpp = 4
	default:
		if _, ok := cfg.ColorModel.(color.Palette); ok {
			bpp = 1
		} else {
			bpp = 8
		}
	}
	w, h := int64(cfg.Width), int64(cfg.Height)
	return w*h*bpp + 4*w + h*BaseSize*3*4
}
