package saebench

import (
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time (user + system) the process has used, in
// seconds: on a shared machine, CPU time per image compares variants more
// steadily than wall time.
func processCPU() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// report adds img/s, the convolutions' effective GFLOP/s and the CPU
// milliseconds per image to the benchmark's result.
func report(b *testing.B, cfg Config, flopsPerImage, cpuSeconds float64) {
	s := b.Elapsed().Seconds()
	imgs := float64(b.N * cfg.Batch)
	b.ReportMetric(imgs/s, "img/s")
	b.ReportMetric(imgs*flopsPerImage/s/1e9, "GFLOP/s")
	b.ReportMetric(1000*cpuSeconds/imgs, "cpu-ms/img")
}

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
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := r.TrainStep(); err != nil {
					b.Fatal(err)
				}
			}
			report(b, cfg, cfg.TrainFLOPs(), processCPU()-cpu0)
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
			cpu0 := processCPU()
			for i := 0; i < b.N; i++ {
				if _, err := r.Encode(); err != nil {
					b.Fatal(err)
				}
			}
			report(b, cfg, cfg.EncodeFLOPs(), processCPU()-cpu0)
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
