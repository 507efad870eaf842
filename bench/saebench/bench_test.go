package saebench

import (
	"testing"
	"time"
)

// benchTrain measures train steps of width w per variant: img/s and the
// effective GFLOP/s of the convolutions.
func benchTrain(b *testing.B, w int) {
	for _, cfg := range variants(b, w) {
		b.Run(cfg.String(), func(b *testing.B) {
			defer watchdog(b.Name(), 10*time.Minute)()
			r, err := NewRunner(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if _, err := r.TrainStep(); err != nil { // compile and warm up
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := r.TrainStep(); err != nil {
					b.Fatal(err)
				}
			}
			s := b.Elapsed().Seconds()
			imgs := float64(b.N * cfg.Batch)
			b.ReportMetric(imgs/s, "img/s")
			b.ReportMetric(imgs*cfg.TrainFLOPs()/s/1e9, "GFLOP/s")
		})
	}
}

// benchEncode measures the encoder of width w per variant.
func benchEncode(b *testing.B, w int) {
	for _, cfg := range variants(b, w) {
		b.Run(cfg.String(), func(b *testing.B) {
			defer watchdog(b.Name(), 10*time.Minute)()
			r, err := NewRunner(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer r.Close()
			if _, err := r.Encode(); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := r.Encode(); err != nil {
					b.Fatal(err)
				}
			}
			s := b.Elapsed().Seconds()
			imgs := float64(b.N * cfg.Batch)
			b.ReportMetric(imgs/s, "img/s")
			b.ReportMetric(imgs*cfg.EncodeFLOPs()/s/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkTrainStepW1 is the paper's model (W = 1), batch 64.
func BenchmarkTrainStepW1(b *testing.B) { benchTrain(b, 1) }

// BenchmarkTrainStepW4 is the W = 4 model, batch 64.
func BenchmarkTrainStepW4(b *testing.B) { benchTrain(b, 4) }

// BenchmarkTrainStepW8 is the W = 8 model, batch 64.
func BenchmarkTrainStepW8(b *testing.B) { benchTrain(b, 8) }

// BenchmarkEncodeW1 is the paper's encoder, batch 64.
func BenchmarkEncodeW1(b *testing.B) { benchEncode(b, 1) }

// BenchmarkEncodeW4 is the W = 4 encoder, batch 64.
func BenchmarkEncodeW4(b *testing.B) { benchEncode(b, 4) }

// BenchmarkEncodeW8 is the W = 8 encoder, batch 64.
func BenchmarkEncodeW8(b *testing.B) { benchEncode(b, 8) }
