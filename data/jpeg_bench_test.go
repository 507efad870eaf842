package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/lsconf/lsconf/index/indextest"
)

// photoJPEG is indextest.PhotoJPEG with noise 64 at quality 90.
func photoJPEG(tb testing.TB, w, h int) []byte {
	tb.Helper()
	j, err := indextest.PhotoJPEG(w, h, 64, 90, 1)
	if err != nil {
		tb.Fatal(err)
	}
	return j
}

// cpuTime is the process's CPU time (user + system, GC included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDecodeJPEG: DecodeImage of a large JPEG (1/8 decode and the
// reduction to the model's input) against the peer in the same run, the
// standard library's full decode alone. cpu-ms/op is CPU time per image:
// on a loaded machine it says more than the wall time.
func BenchmarkDecodeJPEG(b *testing.B) {
	for _, sz := range [][2]int{{1024, 768}, {4000, 3000}} {
		j := photoJPEG(b, sz[0], sz[1])
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			b.Logf("%d bytes", len(j))
			b.Run("stdlib-decode-only", func(b *testing.B) {
				c0 := cpuTime()
				for b.Loop() {
					if _, err := jpeg.Decode(bytes.NewReader(j)); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
			})
			b.Run("DecodeImage", func(b *testing.B) {
				c0 := cpuTime()
				for b.Loop() {
					if _, err := DecodeImage(j, false, 0); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime()-c0)/1e6/float64(b.N), "cpu-ms/op")
			})
		})
	}
}

// TestJPEGDCScaledMatchesFull: a large JPEG decoded at 1/8 gives the
// model's 32x32 input within 3/255 of the full decode's (each block's mean
// stands for its pixels in the area average), and small JPEGs decode
// whole, exactly as before.
func TestJPEGDCScaledMatchesFull(t *testing.T) {
	for _, sz := range [][2]int{{1024, 768}, {800, 770}, {4000, 3000}, {700, 530}, {300, 200}} {
		j := photoJPEG(t, sz[0], sz[1])
		got, err := DecodeImage(j, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(j))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float32, Pixels)
		grayHalf(toBase(img, false), want)
		worst := float32(0)
		for i := range got {
			worst = max(worst, got[i]-want[i], want[i]-got[i])
		}
		if sz[1] < 768 && worst != 0 {
			t.Fatalf("%v: a small JPEG differs from the full decode by %v", sz, worst)
		}
		if worst > 4.0/255 {
			t.Fatalf("%v: the 1/8 decode differs from the full decode by %.1f/255", sz, worst*255)
		}
		t.Logf("%dx%d: largest difference %.2f/255", sz[0], sz[1], worst*255)
	}
}

// TestProgressiveJPEGCost: a progressive JPEG decoded whole is counted
// with its coefficient store (256 bytes a block until the last scan): a
// budget that holds the baseline file's decode refuses the same image
// stored progressive, where the store was not counted before.
func TestProgressiveJPEGCost(t *testing.T) {
	base, err := os.ReadFile("internal/jpegdc/testdata/video-001.jpeg")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile("internal/jpegdc/testdata/video-001.progressive.jpeg")
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(base))
	if err != nil {
		t.Fatal(err)
	}
	if progressiveJPEG(bytes.NewReader(base), "jpeg") || !progressiveJPEG(bytes.NewReader(prog), "jpeg") {
		t.Fatal("progressiveJPEG misreads the test files")
	}
	baseCost, progCost := decodeCost(cfg, "jpeg", false), decodeCost(cfg, "jpeg", true)
	// The store of a 150x103 YCbCr image: 3 components x 256 bytes x its
	// blocks (19x13) at least.
	if progCost-baseCost < 3*256*19*13 {
		t.Fatalf("progressive cost %d, baseline %d", progCost, baseCost)
	}
	budget := NewDecodeBudget(baseCost, 1)
	if _, err := DecodeImageWithin(context.Background(), base, false, 0, budget); err != nil {
		t.Fatalf("baseline within its budget: %v", err)
	}
	if _, err := DecodeImageWithin(context.Background(), prog, false, 0, budget); !errors.Is(err, ErrOverBudget) {
		t.Fatalf("progressive over the budget: %v, want ErrOverBudget", err)
	}
}
