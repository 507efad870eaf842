package data

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuSeconds is the process's user + system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// peakRSSMB is the process's peak resident memory (VmHWM), in MB.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// streamBatches runs b.N batches of a Batcher over s (new epochs as
// needed) and reports images/s and images per CPU-second.
func streamBatches(b *testing.B, s Set, bs int) {
	cfg := BatchConfig{BatchSize: bs, Shuffle: true, Seed: 1, DropLast: true}
	epoch := 0
	bt, err := NewBatcher(s, cfg, epoch)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu0 := time.Now(), cpuSeconds()
	images := 0
	for i := 0; i < b.N; i++ {
		x, err := bt.Next()
		if err == io.EOF {
			bt.Close()
			epoch++
			if bt, err = NewBatcher(s, cfg, epoch); err != nil {
				b.Fatal(err)
			}
			i--
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		images += x.N
		bt.Release(x)
	}
	b.StopTimer()
	bt.Close()
	wall, cpu := time.Since(start).Seconds(), cpuSeconds()-cpu0
	b.ReportMetric(float64(images)/wall, "img/s")
	b.ReportMetric(float64(images)/cpu, "img/cpu-s")
}

// BenchmarkAugmentBatches: augmentation + batching throughput of the
// Batcher over the built-in set's "post" split (default augmentation,
// mirrors, shuffled), batches of 64, one worker per CPU. One op is one
// batch.
func BenchmarkAugmentBatches(b *testing.B) {
	base := textures(b, TrainSet, 0, 1)
	train, _, err := Split(base, SplitConfig{Mode: SplitPost, AugPerImage: 100, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	streamBatches(b, train, 64)
}

// BenchmarkAugmentImage: one augmented image on one goroutine.
func BenchmarkAugmentImage(b *testing.B) {
	base := textures(b, TrainSet, 2, 1)
	s, _ := NewAugmentedSet(base, 1000, DefaultAugment(), 1)
	dst := make([]float32, Pixels)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Image(i%s.Len(), dst)
	}
}

// BenchmarkTextureImage: rendering one built-in training image (one
// worker).
func BenchmarkTextureImage(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c := TextureClasses()[i%5]
		renderTrain(newRNG(uint64(i), 1), c)
	}
}

// BenchmarkStream1M streams the paper-sized set: 650 base images x 770
// augmentations x 3 copies = 1,501,500 images, "post" split (1,201,200
// train images), batches of 256. It reports the memory the set and the
// stream add (Go heap) and the process's peak RSS: no image is held
// beyond the batches in flight.
func BenchmarkStream1M(b *testing.B) {
	base := textures(b, TrainSet, 0, 1)
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	train, test, err := Split(base, SplitConfig{Mode: SplitPost, AugPerImage: 770, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	if train.Len()+test.Len() != 1501500 {
		b.Fatalf("%d images", train.Len()+test.Len())
	}
	streamBatches(b, train, 256)
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(peakRSSMB(), "peakRSS-MB")
	b.ReportMetric(float64(train.Len()), "train-images")
	runtime.KeepAlive(train)
	runtime.KeepAlive(test)
}
