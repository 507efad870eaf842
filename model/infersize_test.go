package model

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/lsconf/lsconf/internal/testutil"
)

// TestInferSizeIndependent: Infer runs k images in a graph sized for them
// (a power of two up to InferBatch, not always 64), and an image's
// encoding and logits are the same whatever batch it is computed in, to
// float32 rounding (the matmul tiles differ with the batch size).
func TestInferSizeIndependent(t *testing.T) {
	for k, want := range map[int]int{1: 1, 2: 2, 3: 4, 5: 8, 20: 32, 33: 64, 64: 64, 100: 64} {
		if got := inferSize(k); got != want {
			t.Errorf("inferSize(%d) = %d, want %d", k, got, want)
		}
	}
	b := testBackend(t)
	net, _ := testNet(t, b, Config{NC: 4, ND: 2, Width: 8}, 3)
	rng := rand.New(rand.NewPCG(5, 6))
	const n = 70
	x := randUniform(rng, n*1024, 0, 1)
	testutil.Within(t, graphTimeout, func() {
		all, allLogits, err := net.Infer(x, n)
		if err != nil {
			t.Error(err)
			return
		}
		for _, k := range []int{1, 3, 20} {
			z, logits, err := net.Infer(x[:k*1024], k)
			if err != nil {
				t.Error(err)
				return
			}
			for i := range z {
				if !close32(z[i], all[i]) {
					t.Errorf("batch of %d: z[%d] = %v, in a batch of %d: %v", k, i, z[i], n, all[i])
					return
				}
			}
			for i := range logits {
				if !close32(logits[i], allLogits[i]) {
					t.Errorf("batch of %d: logit %d = %v, in a batch of %d: %v", k, i, logits[i], n, allLogits[i])
					return
				}
			}
		}
	})
}

// close32 reports whether a and b agree to 1e-5 relative (a few float32
// roundings).
func close32(a, b float32) bool {
	d := float64(a - b)
	return math.Abs(d) <= 1e-5*(1+math.Abs(float64(b)))
}

// BenchmarkInferOne: one image through a graph sized
// for it against the peer, one image padded to an InferBatch graph (how
// Infer ran a single image before), width 8, in ms per call.
func BenchmarkInferOne(b *testing.B) {
	be := testBackend(b)
	cfg := Config{NC: 5, ND: 2, Width: 8}
	w, err := Init(cfg, 1)
	if err != nil {
		b.Fatal(err)
	}
	net, err := NewNet(be, cfg, w)
	if err != nil {
		b.Fatal(err)
	}
	defer net.Close()
	x := make([]float32, InferBatch*1024)
	for _, c := range []struct {
		name string
		n    int
	}{{"sized-1", 1}, {"peer-padded-64", InferBatch}} {
		b.Run(c.name, func(b *testing.B) {
			if _, _, err := net.Infer(x[:c.n*1024], c.n); err != nil { // compile
				b.Fatal(err)
			}
			start := time.Now()
			for b.Loop() {
				if _, _, err := net.Infer(x[:c.n*1024], c.n); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(time.Since(start).Microseconds())/1000/float64(b.N), "ms/call")
		})
	}
}
