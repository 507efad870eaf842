package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// stripes returns n images of three easy classes (0 horizontal stripes,
// 1 vertical stripes, 2 flat grey) with random period, phase and noise,
// and their labels.
func stripes(n int, seed uint64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 99))
	x := make([]float32, n*1024)
	y := make([]int32, n)
	for i := 0; i < n; i++ {
		c := int32(i % 3)
		y[i] = c
		period := 4 + rng.IntN(5)
		phase := rng.IntN(period)
		level := 0.3 + 0.4*rng.Float64()
		for r := 0; r < 32; r++ {
			for col := 0; col < 32; col++ {
				v := level
				switch c {
				case 0:
					if (r+phase)%period < period/2 {
						v = 1 - level
					}
				case 1:
					if (col+phase)%period < period/2 {
						v = 1 - level
					}
				}
				v += 0.1 * (rng.Float64() - 0.5)
				x[i*1024+r*32+col] = float32(min(max(v, 0), 1))
			}
		}
	}
	return x, y
}

// tinyRun trains a tiny model (width divisor 16) for a few dozen steps
// and returns the mean loss and L_G (train mode, per batch) over the
// first and the last three steps.
func tinyRun(t *testing.T, mode Mode) (firstLoss, lastLoss, firstLG, lastLG float64, ok bool) {
	b := testBackend(t)
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 3, ND: 2, Width: 16}
	w, err := Init(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	net, err := NewTrainer(b, cfg, &State{Weights: *w}, LossConfig{Mode: mode, KG: 0.2, Layout: l}, DefaultAdam(3e-3))
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	x, y := stripes(96, 1)
	testutil.Within(t, graphTimeout, func() {
		const bs, steps = 32, 30
		for s := 0; s < steps; s++ {
			k := s % 3
			r, err := net.TrainStep(x[k*bs*1024:(k+1)*bs*1024], y[k*bs:(k+1)*bs])
			if err != nil {
				t.Error(err)
				return
			}
			if math.IsNaN(r.Loss) {
				t.Errorf("step %d: loss is NaN", s)
				return
			}
			if s < 3 {
				firstLoss += r.Loss / 3
				firstLG += r.LG / 3
			}
			if s >= steps-3 {
				lastLoss += r.Loss / 3
				lastLG += r.LG / 3
			}
		}
		if net.Step() != steps {
			t.Errorf("step counter %d, want %d", net.Step(), steps)
			return
		}
		ok = true
	})
	return firstLoss, lastLoss, firstLG, lastLG, ok
}

// TestTinyModelLearns trains a tiny model with L_CE + k_g L_G and with
// L_CE alone: the loss falls in both, and L_G (the f_d distance of the
// batch's encodings to their own centres, measured on the training
// batches) falls to near zero only when it is part of the loss.
func TestTinyModelLearns(t *testing.T) {
	f, l, fg, lg, ok := tinyRun(t, ModeCEG)
	if !ok {
		return
	}
	t.Logf("ce+g: loss %.3f -> %.3f, L_G %.3f -> %.3f", f, l, fg, lg)
	if !(l < 0.5*f) {
		t.Errorf("ce+g: loss did not fall: first steps %.4f, last steps %.4f", f, l)
	}
	if !(lg < 0.1*fg) {
		t.Errorf("ce+g: L_G did not pull the encodings toward their centres: L_G %.4f -> %.4f", fg, lg)
	}
	cf, cl, _, clg, ok := tinyRun(t, ModeCE)
	if !ok {
		return
	}
	t.Logf("ce: loss %.3f -> %.3f, L_G -> %.3f", cf, cl, clg)
	if !(cl < 0.5*cf) {
		t.Errorf("ce: loss did not fall: first steps %.4f, last steps %.4f", cf, cl)
	}
	if !(clg > 3*lg) {
		t.Errorf("L_G after ce training (%.4f) should stay well above L_G after ce+g training (%.4f)", clg, lg)
	}
}

// TestPaperWidthOneStep runs one train step of the paper's model (W = 1)
// on a batch of 2 and checks the shapes and finiteness of everything it
// produces, so that the full width never rots.
func TestPaperWidthOneStep(t *testing.T) {
	if testing.Short() {
		t.Skip("W = 1 step skipped in -short mode")
	}
	b := testBackend(t)
	l, err := latent.Circle(5, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 5, ND: 2, Width: 1}
	w, err := Init(cfg, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Channels(); got != [Levels]int{64, 128, 256, 512, 512} || cfg.Flat() != 2048 {
		t.Fatalf("W=1 channels %v flat %d, want Table 1's 64..512 and 2048", got, cfg.Flat())
	}
	net, err := NewTrainer(b, cfg, &State{Weights: *w}, LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l}, DefaultAdam(1e-3))
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	x, _ := stripes(2, 5)
	testutil.Within(t, graphTimeout, func() {
		r, err := net.TrainStep(x, []int32{0, 3})
		if err != nil {
			t.Error(err)
			return
		}
		if r.N != 2 || math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) || r.CE <= 0 || r.LG < 0 {
			t.Errorf("step result %+v", r)
		}
		st, err := net.State()
		if err != nil {
			t.Error(err)
			return
		}
		if err := st.Check(cfg); err != nil { // sizes and finiteness
			t.Error(err)
		}
		changed := false
		for i := range st.Params {
			for k := range st.Params[i] {
				if st.Params[i][k] != w.Params[i][k] {
					changed = true
				}
			}
		}
		if !changed || st.Step != 1 {
			t.Errorf("after one step: weights changed %v, step %d", changed, st.Step)
		}
		z, logits, err := net.Net().Infer(x, 2)
		if err != nil {
			t.Error(err)
			return
		}
		if len(z) != 2*2 || len(logits) != 2*5 {
			t.Errorf("infer: %d z values and %d logits, want 4 and 10", len(z), len(logits))
		}
		for _, v := range append(z, logits...) {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Errorf("infer: non-finite output %v", v)
			}
		}
	})
}

// TestEncoderNeverProhibited encodes many random images with each sector
// configuration in the model (random weights, spread outputs) and finds
// no encoding in a prohibited range.
func TestEncoderNeverProhibited(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(13, 14))
	const n = 2 * InferBatch
	x := randUniform(rng, n*1024, 0, 1)
	for name, s := range sectorConfigs(t) {
		cfg := Config{NC: 6, ND: 2, Width: 32, Sectors: s}
		w, err := Init(cfg, 4)
		if err != nil {
			t.Fatal(err)
		}
		net, err := NewNet(b, cfg, w)
		if err != nil {
			t.Fatal(err)
		}
		testutil.Within(t, graphTimeout, func() {
			z, _, err := net.Infer(x, n)
			if err != nil {
				t.Error(err)
				return
			}
			for i := 0; i < n; i++ {
				if s.IsProhibitedPoint(float64(z[2*i]), float64(z[2*i+1])) {
					t.Errorf("%s: image %d encoded at (%v, %v), a prohibited angle", name, i, z[2*i], z[2*i+1])
				}
			}
		})
		net.Close()
	}
}

// TestInferFeatures: InferFeatures returns Infer's z and logits, and
// features from which the dense map gives z: z = f (Wa + Wb) + ba + bb.
func TestInferFeatures(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(21, 22))
	const n = 3
	x := randUniform(rng, n*1024, 0, 1)
	cfg := Config{NC: 4, ND: 3, Width: 32}.WithDefaults()
	net, w := testNet(t, b, cfg, 5)
	testutil.Within(t, graphTimeout, func() {
		z, logits, err := net.Infer(x, n)
		if err != nil {
			t.Error(err)
			return
		}
		z2, logits2, f, err := net.InferFeatures(x, n)
		if err != nil {
			t.Error(err)
			return
		}
		if len(f) != n*cfg.FeatureDim() {
			t.Errorf("%d feature values, want %d", len(f), n*cfg.FeatureDim())
			return
		}
		for i := range z {
			if math.Abs(float64(z[i]-z2[i])) > 1e-5 {
				t.Errorf("z[%d] %v by InferFeatures, %v by Infer", i, z2[i], z[i])
			}
		}
		for i := range logits {
			if math.Abs(float64(logits[i]-logits2[i])) > 1e-4 {
				t.Errorf("logits[%d] %v by InferFeatures, %v by Infer", i, logits2[i], logits[i])
			}
		}
		// the dense map: parameters after the convolutions' 30 are head_a's
		// kernel and bias, then head_b's
		p := 3 * 2 * Levels
		ka, ba, kb, bb := w.Params[p], w.Params[p+1], w.Params[p+2], w.Params[p+3]
		nf, row := cfg.Flat(), cfg.FeatureDim()
		for i := range n {
			for j := nf; j < row; j++ {
				if f[i*row+j] < 0 {
					t.Errorf("image %d: pooled feature %d = %v, want >= 0 (the mean of ReLU outputs)", i, j-nf, f[i*row+j])
				}
			}
			for k := range cfg.ND {
				s := float64(ba[k] + bb[k])
				for j := range nf {
					s += float64(f[i*row+j]) * float64(ka[j*cfg.ND+k]+kb[j*cfg.ND+k])
				}
				if math.Abs(s-float64(z2[i*cfg.ND+k])) > 1e-3*(1+math.Abs(s)) {
					t.Errorf("image %d: z[%d] %v, dense map of the features %v", i, k, z2[i*cfg.ND+k], s)
				}
			}
		}
	})
}
