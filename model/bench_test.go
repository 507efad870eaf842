package model

import (
	"fmt"
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/latent"
)

// watchdog crashes the benchmark binary loudly if a benchmark runs longer
// than d (a backend hang must not stall "make bench" silently).
func watchdog(b *testing.B, d time.Duration) func() {
	t := time.AfterFunc(d, func() { panic(fmt.Sprintf("%s: still running after %v (backend hang?)", b.Name(), d)) })
	return func() { t.Stop() }
}

// cpuSeconds is the CPU time (user + system) the process has used: on a
// shared machine it measures the work of a step better than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// timeImages times b.N calls of step, each of n images, and reports
// images per second and CPU milliseconds per image.
func timeImages(b *testing.B, n int, step func() error) {
	b.Helper()
	b.ResetTimer()
	cpu0 := cpuSeconds()
	for i := 0; i < b.N; i++ {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "img/s")
	b.ReportMetric(1000*(cpuSeconds()-cpu0)/float64(b.N*n), "cpu-ms/img")
}

// BenchmarkTrainStep measures one Adam step of the Table 1 SAE (mode
// ce+g) at batch 64, in images per second, for width divisors 8, 4, 1,
// and at width 8 with the decoder (reconstruction weight 1).
func BenchmarkTrainStep(b *testing.B) {
	for _, w := range []int{8, 4, 1, -8} {
		dec := w < 0
		w = max(w, -w)
		name := fmt.Sprintf("W=%d", w)
		if dec {
			name += "+decoder"
		}
		b.Run(name, func(b *testing.B) {
			defer watchdog(b, 20*time.Minute)()
			be, err := engine.New(engine.Config{})
			if err != nil {
				b.Fatal(err)
			}
			defer be.Finalize()
			l, _ := latent.Circle(5, latent.PaperDC, latent.PaperRC)
			cfg := Config{NC: 5, ND: 2, Width: w, Decoder: dec}
			ws, err := Init(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			loss := LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l}
			if dec {
				loss.Recon = 1
			}
			net, err := NewTrainer(be, cfg, &State{Weights: *ws}, loss, DefaultAdam(1e-3))
			if err != nil {
				b.Fatal(err)
			}
			defer net.Close()
			const bs = 64
			rng := rand.New(rand.NewPCG(1, 1))
			x := randUniform(rng, bs*1024, 0, 1)
			y := make([]int32, bs)
			for i := range y {
				y[i] = int32(i % 5)
			}
			if _, err := net.TrainStep(x, y); err != nil { // compile
				b.Fatal(err)
			}
			timeImages(b, bs, func() error {
				_, err := net.TrainStep(x, y)
				return err
			})
		})
	}
}

// BenchmarkEncode measures inference (z and logits, batch norms with
// running averages) in images per second for width divisors 8, 4, 1.
func BenchmarkEncode(b *testing.B) {
	benchInference(b, false, 1024, func(net *Net, x []float32, n int) error {
		_, _, err := net.Infer(x, n)
		return err
	})
}

// BenchmarkDecode measures the decoder at inference (images from latent
// points, batch norms with running averages) in images per second for
// width divisors 8, 4, 1.
func BenchmarkDecode(b *testing.B) {
	benchInference(b, true, 2, func(net *Net, z []float32, n int) error {
		_, err := net.Decode(z, n)
		return err
	})
}

// benchInference times call on 4*InferBatch items of size values each
// (uniform in [0, 1)) with a Net of n_d = 2 (with the decoder branch when
// decoder), after a first call on InferBatch items (compilation), for
// width divisors 8, 4, 1.
func benchInference(b *testing.B, decoder bool, size int, call func(net *Net, x []float32, n int) error) {
	for _, w := range []int{8, 4, 1} {
		b.Run(fmt.Sprintf("W=%d", w), func(b *testing.B) {
			defer watchdog(b, 20*time.Minute)()
			be, err := engine.New(engine.Config{})
			if err != nil {
				b.Fatal(err)
			}
			defer be.Finalize()
			cfg := Config{NC: 5, ND: 2, Width: w, Decoder: decoder}
			ws, err := Init(cfg, 1)
			if err != nil {
				b.Fatal(err)
			}
			net, err := NewNet(be, cfg, ws)
			if err != nil {
				b.Fatal(err)
			}
			defer net.Close()
			const n = 4 * InferBatch
			x := randUniform(rand.New(rand.NewPCG(2, 2)), n*size, 0, 1)
			if err := call(net, x[:InferBatch*size], InferBatch); err != nil {
				b.Fatal(err)
			}
			timeImages(b, n, func() error { return call(net, x, n) })
		})
	}
}
