package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// minIters is the least number of timed steps (or queries, x10) of a
// measurement, however short --seconds is.
const minIters = 3

// Sample is one timed measurement: a rate (images or queries per second),
// how many steps it timed, the process CPU milliseconds per image (or
// query) of the timed calls (0 where getrusage is not available), the peak
// memory while it ran and the memory the process held when it started
// (both in bytes, PeakMeter's source).
type Sample struct {
	Rate       float64
	Iters      int
	CPUms      float64
	Peak, Base uint64
}

// loop is what timeLoop measured.
type loop struct {
	n       int
	wall    time.Duration
	cpuSecs float64
}

// sample makes the Sample of a loop of n calls of per items each.
func (l loop) sample(per int, mem *PeakMeter, base uint64) Sample {
	items := float64(l.n * per)
	return Sample{Rate: items / l.wall.Seconds(), Iters: l.n, CPUms: 1000 * l.cpuSecs / items, Peak: mem.Peak(), Base: base}
}

// benchInput is the fixed batch of a model measurement: images uniform in
// [0, 1) and labels 0..4 in turn.
func benchInput(batch int, seed uint64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 0xbe4c))
	x := make([]float32, batch*32*32)
	for i := range x {
		x[i] = rng.Float32()
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(i % latent.PaperNC)
	}
	return x, y
}

// timeLoop calls step (after one untimed warm-up call) until at least
// seconds have passed and at least min calls were timed; it returns the
// number of timed calls, their wall time and the process CPU time.
func timeLoop(ctx context.Context, seconds float64, min int, step func() error) (loop, error) {
	if err := step(); err != nil {
		return loop{}, err
	}
	n := 0
	t0, c0 := time.Now(), processCPU()
	for n < min || time.Since(t0).Seconds() < seconds {
		if err := ctx.Err(); err != nil {
			return loop{}, err
		}
		if err := step(); err != nil {
			return loop{}, err
		}
		n++
	}
	return loop{n: n, wall: time.Since(t0), cpuSecs: processCPU() - c0}, nil
}

// MeasureTrain times Adam train steps of lsconf's Table 1 SAE (package
// model, mode ce+g with k_g = 0.2 on the paper's circle layout, the
// objective lsconf train uses by default) at width divisor w and batch
// size batch, on a backend of its own with the given parallelism. The
// first step (graph compilation) is not timed. The peak memory covers
// the backend, the compilation and the steps.
//
// With decoder, the model has the decoder branch and the loss its
// reconstruction error (weight 1).
func MeasureTrain(ctx context.Context, mem *PeakMeter, par, w, batch int, seconds float64, seed uint64, decoder bool) (s Sample, err error) {
	mem.Reset()
	base := mem.Current()
	be, err := engine.New(engine.Config{Parallelism: par})
	if err != nil {
		return s, err
	}
	defer be.Finalize()
	l, err := latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err != nil {
		return s, err
	}
	cfg := model.Config{NC: latent.PaperNC, ND: 2, Width: w, Decoder: decoder}
	ws, err := model.Init(cfg, seed)
	if err != nil {
		return s, fmt.Errorf("train W=%d: %w", w, err)
	}
	loss := model.LossConfig{Mode: model.ModeCEG, KG: latent.PaperKG, Layout: l}
	if decoder {
		loss.Recon = 1
	}
	net, err := model.NewTrainer(be, cfg, &model.State{Weights: *ws}, loss, model.DefaultAdam(train.DefaultLR))
	if err != nil {
		return s, fmt.Errorf("train W=%d: %w", w, err)
	}
	defer net.Close()
	x, y := benchInput(batch, seed)
	lp, err := timeLoop(ctx, seconds, minIters, func() error {
		_, err := net.TrainStep(x, y)
		return err
	})
	if err != nil {
		return s, fmt.Errorf("train W=%d: %w", w, err)
	}
	return lp.sample(batch, mem, base), nil
}

// measureModel runs the measurement of a model row kind (KindTrain,
// KindTrainDecoder, KindEncode or KindDecode).
func measureModel(ctx context.Context, kind string, mem *PeakMeter, par, w, batch int, seconds float64, seed uint64) (Sample, error) {
	switch kind {
	case KindTrain, KindTrainDecoder:
		return MeasureTrain(ctx, mem, par, w, batch, seconds, seed, kind == KindTrainDecoder)
	case KindEncode:
		return MeasureEncode(ctx, mem, par, w, batch, seconds, seed)
	case KindDecode:
		return MeasureDecode(ctx, mem, par, w, batch, seconds, seed)
	}
	return Sample{}, fmt.Errorf("measure %q: not a model row", kind)
}

// MeasureDecode times the decoder at inference (images from batch latent
// points at a time, batch norms with running statistics: model.Net.Decode)
// of lsconf's SAE with the decoder branch, like MeasureEncode. The points
// are uniform in [-1, 1)^2.
func MeasureDecode(ctx context.Context, mem *PeakMeter, par, w, batch int, seconds float64, seed uint64) (Sample, error) {
	rng := rand.New(rand.NewPCG(seed, 0xdec0))
	z := make([]float32, batch*2)
	for i := range z {
		z[i] = 2*rng.Float32() - 1
	}
	return measureNet(ctx, mem, par, w, batch, seconds, seed, "decode", func(net *model.Net) error {
		_, err := net.Decode(z, batch)
		return err
	})
}

// MeasureEncode times inference (z and logits, batch norms with running
// statistics: what lsconf encode and lsconf index run) of batch images at
// a time, like MeasureTrain. model.Net.Infer runs batches of
// model.InferBatch images, padding a smaller batch.
func MeasureEncode(ctx context.Context, mem *PeakMeter, par, w, batch int, seconds float64, seed uint64) (Sample, error) {
	x, _ := benchInput(batch, seed)
	return measureNet(ctx, mem, par, w, batch, seconds, seed, "encode", func(net *model.Net) error {
		_, _, err := net.Infer(x, batch)
		return err
	})
}

// measureNet times call on an inference net (model.Net, n_d = 2, weights
// from Init with seed; with the decoder branch for "decode") at width w on
// a backend of its own, batch items per call, like MeasureTrain.
func measureNet(ctx context.Context, mem *PeakMeter, par, w, batch int, seconds float64, seed uint64, what string, call func(*model.Net) error) (s Sample, err error) {
	mem.Reset()
	base := mem.Current()
	be, err := engine.New(engine.Config{Parallelism: par})
	if err != nil {
		return s, err
	}
	defer be.Finalize()
	cfg := model.Config{NC: latent.PaperNC, ND: 2, Width: w, Decoder: what == "decode"}
	ws, err := model.Init(cfg, seed)
	if err != nil {
		return s, fmt.Errorf("%s W=%d: %w", what, w, err)
	}
	net, err := model.NewNet(be, cfg, ws)
	if err != nil {
		return s, fmt.Errorf("%s W=%d: %w", what, w, err)
	}
	defer net.Close()
	lp, err := timeLoop(ctx, seconds, minIters, func() error { return call(net) })
	if err != nil {
		return s, fmt.Errorf("%s W=%d: %w", what, w, err)
	}
	return lp.sample(batch, mem, base), nil
}
