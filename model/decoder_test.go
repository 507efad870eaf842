package model

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// TestDecoderLeavesClassifierAlone checks that adding the decoder only
// appends tensors: a classifier-only model's specs, and its initial
// weights for a seed, are the same with or without the decoder.
func TestDecoderLeavesClassifierAlone(t *testing.T) {
	c := Config{NC: 5, ND: 2, Width: 8}
	d := c
	d.Decoder = true
	sc, sd := Specs(c), Specs(d)
	if len(sd) <= len(sc) || len(BNSpecs(d)) <= len(BNSpecs(c)) {
		t.Fatalf("decoder adds no tensors: %d -> %d specs", len(sc), len(sd))
	}
	for i, s := range sc {
		if sd[i].Name != s.Name || !slices.Equal(sd[i].Shape, s.Shape) {
			t.Errorf("spec %d: %s %v with the decoder, %s %v without", i, sd[i].Name, sd[i].Shape, s.Name, s.Shape)
		}
	}
	wc, err := Init(c, 7)
	if err != nil {
		t.Fatal(err)
	}
	wd, err := Init(d, 7)
	if err != nil {
		t.Fatal(err)
	}
	for i := range wc.Params {
		if !slices.Equal(wc.Params[i], wd.Params[i]) {
			t.Errorf("initial %s differs when the decoder is added", sc[i].Name)
		}
	}
	if err := wd.Check(c); err == nil {
		t.Error("weights with a decoder pass the check of a model without one")
	}
	// The decoder mirrors the encoder: its convolutions have the encoder's
	// channels of levels 2, 1, 0 and the output has one channel.
	last := sd[len(sd)-2]
	if last.Name != "dec.out.kernel" || last.Shape[1] != 1 || last.Shape[0] != 9*c.Channels()[0] {
		t.Errorf("output convolution %s %v", last.Name, last.Shape)
	}
}

// TestUpsample2 compares the concatenation upsampling with a
// broadcast formulation, values and gradients.
func TestUpsample2(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	x := randUniform(rng, 2*3*4*5, -1, 1)
	w := randUniform(rng, 2*6*8*5, -1, 1)
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			xn, wn := in[0], in[1]
			up := Upsample2(xn)
			ref := graph.Reshape(graph.BroadcastToDims(graph.Reshape(xn, 2, 3, 1, 4, 1, 5), 2, 3, 2, 4, 2, 5), 2, 6, 8, 5)
			gu := graph.Gradient(graph.ReduceAllSum(graph.Mul(up, wn)), xn)[0]
			gr := graph.Gradient(graph.ReduceAllSum(graph.Mul(ref, wn)), xn)[0]
			return []*graph.Node{up, ref, gu, gr}
		}, tensors.FromFlatDataAndDimensions(x, 2, 3, 4, 5), tensors.FromFlatDataAndDimensions(w, 2, 6, 8, 5))
		for k := 0; k < 2; k++ {
			a := tensors.MustCopyFlatData[float32](out[2*k])
			r := tensors.MustCopyFlatData[float32](out[2*k+1])
			for i := range a {
				if math.Abs(float64(a[i]-r[i])) > 1e-5 {
					t.Errorf("output %d value %d: %v, broadcast reference %v", k, i, a[i], r[i])
					return
				}
			}
		}
		// Spot check: output pixel (y, x) is input pixel (y/2, x/2).
		up := tensors.MustCopyFlatData[float32](out[0])
		if got, want := up[((1*6+5)*8+3)*5+2], x[((1*3+2)*4+1)*5+2]; got != want {
			t.Errorf("upsampled (1, 5, 3, 2) = %v, want input (1, 2, 1, 2) = %v", got, want)
		}
	})
}

// patterns returns n images of three fixed patterns (horizontal stripes,
// vertical stripes, a checkerboard, all of period 8 and full contrast)
// with a little noise, and their labels: a decoder can learn each
// class's image from its cluster, which the mean image is far from.
func patterns(n int, seed uint64) ([]float32, []int32) {
	rng := rand.New(rand.NewPCG(seed, 5))
	x := make([]float32, n*1024)
	y := make([]int32, n)
	for i := range y {
		c := i % 3
		y[i] = int32(c)
		for r := 0; r < 32; r++ {
			for col := 0; col < 32; col++ {
				on := [3]bool{r%8 < 4, col%8 < 4, (r%8 < 4) != (col%8 < 4)}[c]
				v := 0.1 + 0.1*rng.Float64()
				if on {
					v = 0.8 + 0.1*rng.Float64()
				}
				x[i*1024+r*32+col] = float32(v)
			}
		}
	}
	return x, y
}

// tinyAE returns a Trainer of a tiny autoencoder (3 classes on the
// paper's circle, width 16, seed 1) for the objective: mode ce+g, k_g
// 0.2, reconstruction weight 1, then edit.
func tinyAE(t *testing.T, edit func(*LossConfig)) *Trainer {
	t.Helper()
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 3, ND: 2, Width: 16, Decoder: true}
	w, err := Init(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	loss := LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Recon: 1}
	edit(&loss)
	net, err := NewTrainer(testBackend(t), cfg, &State{Weights: *w}, loss, DefaultAdam(3e-3))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	return net
}

// trainTiny trains net for steps steps on batches of 16 of the 48
// patterns and returns the means of figure (of each step's result) over
// the first and the last three steps; figure must be positive.
func trainTiny(t *testing.T, net *Trainer, steps int, figure func(StepResult) float64) (first, last float64) {
	t.Helper()
	x, y := patterns(48, 1)
	testutil.Within(t, graphTimeout, func() {
		const bs = 16
		for s := 0; s < steps; s++ {
			k := s % 3
			r, err := net.TrainStep(x[k*bs*1024:(k+1)*bs*1024], y[k*bs:(k+1)*bs])
			if err != nil {
				t.Error(err)
				return
			}
			if f := figure(r); math.IsNaN(r.Loss) || math.IsNaN(f) || f <= 0 {
				t.Errorf("step %d: %+v", s, r)
				return
			}
			if s < 3 {
				first += figure(r) / 3
			}
			if s >= steps-3 {
				last += figure(r) / 3
			}
		}
	})
	return first, last
}

// decoderRun trains a tiny autoencoder in mode for some steps and
// returns the reconstruction error of the first and last three steps.
func decoderRun(t *testing.T, mode Mode) (first, last float64, net *Trainer) {
	net = tinyAE(t, func(l *LossConfig) { l.Mode = mode })
	first, last = trainTiny(t, net, 40, func(r StepResult) float64 { return r.Recon })
	return first, last, net
}

// TestTinyAutoencoderLearns trains a tiny model with the decoder in mode
// ce+g and mode mse+g: the reconstruction error falls, Decode gives
// images in [0, 1], and a classifier-only Net refuses to decode.
func TestTinyAutoencoderLearns(t *testing.T) {
	for _, mode := range []Mode{ModeCEG, ModeMSEG} {
		f, l, net := decoderRun(t, mode)
		t.Logf("%s: reconstruction MSE %.4f -> %.4f", mode, f, l)
		if !(l < 0.5*f) {
			t.Errorf("%s: reconstruction error did not fall: %.4f -> %.4f", mode, f, l)
		}
		testutil.Within(t, graphTimeout, func() {
			img, err := net.Net().Decode([]float32{0, 0, 0.5, 0.5, -0.3, 0.2}, 3)
			if err != nil {
				t.Error(err)
				return
			}
			if len(img) != 3*1024 {
				t.Errorf("decoded %d values, want %d", len(img), 3*1024)
			}
			for _, v := range img {
				if !(v >= 0 && v <= 1) {
					t.Errorf("decoded pixel %v outside [0, 1]", v)
					return
				}
			}
		})
	}
	b := testBackend(t)
	cfg := Config{NC: 3, ND: 2, Width: 16}
	w, _ := Init(cfg, 1)
	n, err := NewNet(b, cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if _, err := n.Decode([]float32{0, 0}, 1); err == nil {
		t.Error("a model without a decoder decoded a point")
	}
	l, _ := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if _, err := NewTrainer(b, cfg, &State{Weights: *w}, LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Recon: 1}, DefaultAdam(1e-3)); err == nil {
		t.Error("a reconstruction weight was accepted for a model without a decoder")
	}
}
