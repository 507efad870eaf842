package data

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoaderDecodeBudget: six 2000x2000 16-bit RGBA PNGs (32 MB each to
// decode) loaded by six workers with a 40 MB budget decode one at a time
// (the heap stays far below six at once), and an image larger than the
// whole budget is skipped with the reason.
func TestLoaderDecodeBudget(t *testing.T) {
	root := t.TempDir()
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, image.NewRGBA64(image.Rect(0, 0, 2000, 2000))); err != nil {
		t.Fatal(err)
	}
	for i, c := range []string{"a", "a", "a", "b", "b", "b"} {
		os.MkdirAll(filepath.Join(root, c), 0o755)
		os.WriteFile(filepath.Join(root, c, string(rune('0'+i))+".png"), buf.Bytes(), 0o644)
	}
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
		}
	}()
	b, rep, err := LoadImageFolder(context.Background(), root, LoadOptions{Workers: 6, DecodeBudget: 40 << 20})
	close(stop)
	<-done
	if err != nil || b.Len() != 6 {
		t.Fatalf("load: %v (%+v)", err, rep)
	}
	// Six at once would hold 6 x 32 MB = 192 MB.
	if p := peak.Load(); p > 110<<20 {
		t.Fatalf("heap reached %d MiB: the workers decoded past the 40 MiB budget", p>>20)
	}
	// A budget smaller than one image: skipped, with the reason.
	_, rep, err = LoadImageFolder(context.Background(), root, LoadOptions{DecodeBudget: 8 << 20, AllowEmptyClasses: true})
	if len(rep.Skipped) != 6 || !strings.Contains(rep.Skipped[0].Reason, "decode budget") {
		t.Fatalf("over-budget images: %v, %+v", err, rep.Skipped)
	}
}

// TestDecodeBudgetFIFO: waiters are served in arrival order, and a waiter
// that gives up leaves the queue without blocking the ones behind it.
func TestDecodeBudgetFIFO(t *testing.T) {
	b := NewDecodeBudget(10, 1)
	ctx := context.Background()
	if err := b.Acquire(ctx, 10); err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 3)
	cctx, cancel := context.WithCancel(ctx)
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- b.Acquire(cctx, 5) }()
	time.Sleep(20 * time.Millisecond)
	for i := range 3 {
		go func() {
			if err := b.Acquire(ctx, 2); err != nil {
				t.Error(err)
			}
			order <- i
			b.Release(2)
		}()
		time.Sleep(20 * time.Millisecond) // arrive in order
	}
	cancel()
	if err := <-gaveUp; err == nil {
		t.Fatal("a cancelled wait succeeded")
	}
	b.Release(10)
	for want := range 3 {
		if got := <-order; got != want {
			t.Fatalf("served %d, want %d (arrival order)", got, want)
		}
	}
}
