package model

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// TestDistanceLogitsByHand checks the distance head against logits
// written out by hand: a layout of two centres with different radii,
// three points, the fixed scale and a learned factor of 2.
func TestDistanceLogitsByHand(t *testing.T) {
	l, err := latent.New([][]float64{{0, 0}, {2, 0}}, []float64{0.5, 1}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	z := []float32{0, 0, 1, 1, 2, -0.5}
	// logit_k = -s * d_k^2 / r_k^2
	want := []float64{
		0, -3 * 4.0 / 1,
		-3 * 2.0 / 0.25, -3 * 2.0 / 1,
		-3 * 4.25 / 0.25, -3 * 0.25 / 1,
	}
	for _, learn := range []bool{false, true} {
		cfg := Config{NC: 2, ND: 2, Width: 16, Head: HeadDistance, DistScale: 3, DistLearnScale: learn, Layout: l}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		b := testBackend(t)
		factor := 1.0
		var out []*tensors.Tensor
		testutil.Within(t, graphTimeout, func() {
			out = runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
				return []*graph.Node{DistanceLogits(cfg, in[1:], in[0])}
			}, tensors.FromFlatDataAndDimensions(z, 3, 2), tensors.FromFlatDataAndDimensions([]float32{float32(math.Log(2))}, 1))
		})
		if out == nil {
			return
		}
		if learn {
			factor = 2
		}
		got := tensors.MustCopyFlatData[float32](out[0])
		for i, w := range want {
			if math.Abs(float64(got[i])-factor*w) > 1e-4*math.Max(1, math.Abs(w)) {
				t.Errorf("learn %v: logit %d = %v, want %v", learn, i, got[i], factor*w)
			}
		}
	}
}

// TestHeadSpecsAndValidate: the distance head has no dense layers (one
// scalar when its scale is learned), needs the layout, and its settings
// are refused on the dense head.
func TestHeadSpecsAndValidate(t *testing.T) {
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	dense := Config{NC: 3, ND: 2, Width: 16}
	dist := Config{NC: 3, ND: 2, Width: 16, Head: HeadDistance, Layout: l}
	learn := dist
	learn.DistLearnScale = true
	if got, want := len(Specs(dense))-len(Specs(dist)), 6; got != want {
		t.Errorf("dense has %d tensors more than distance, want %d", got, want)
	}
	if got := len(Specs(learn)) - len(Specs(dist)); got != 1 {
		t.Errorf("a learned scale adds %d tensors, want 1", got)
	}
	for name, c := range map[string]Config{
		"distance without layout": {NC: 3, ND: 2, Width: 16, Head: HeadDistance},
		"dense with a scale":      {NC: 3, ND: 2, Width: 16, DistScale: 2},
		"negative scale":          {NC: 3, ND: 2, Width: 16, Head: HeadDistance, Layout: l, DistScale: -1},
		"unknown head":            {NC: 3, ND: 2, Width: 16, Head: "cosine"},
		"layout of other sizes":   {NC: 4, ND: 2, Width: 16, Head: HeadDistance, Layout: l},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, c := range []Config{dense, dist, learn} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c.Head, err)
		}
	}
	if h, err := ParseHead(""); err != nil || h != HeadDense {
		t.Errorf(`ParseHead("") = %q, %v; want dense`, h, err)
	}
}

// TestDistanceHeadLearns trains a tiny model with the distance head and
// L_CE alone: the loss falls, and the inference logits' argmax is the
// centre nearest to z in units of r_c, the head's definition.
func TestDistanceHeadLearns(t *testing.T) {
	b := testBackend(t)
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{NC: 3, ND: 2, Width: 16, Head: HeadDistance, DistLearnScale: true, Layout: l}
	w, err := Init(cfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(b, cfg, &State{Weights: *w}, LossConfig{Mode: ModeCE, KG: 0.2, Layout: l}, DefaultAdam(3e-3))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	x, y := stripes(96, 1)
	testutil.Within(t, graphTimeout, func() {
		const bs, steps = 32, 30
		var first, last float64
		for s := 0; s < steps; s++ {
			k := s % 3
			r, err := tr.TrainStep(x[k*bs*1024:(k+1)*bs*1024], y[k*bs:(k+1)*bs])
			if err != nil {
				t.Error(err)
				return
			}
			if s < 3 {
				first += r.Loss / 3
			}
			if s >= steps-3 {
				last += r.Loss / 3
			}
		}
		t.Logf("distance head, ce: loss %.3f -> %.3f", first, last)
		if !(last < 0.5*first) {
			t.Errorf("loss did not fall: %.4f -> %.4f", first, last)
		}
		z, logits, err := tr.Net().Infer(x, len(y))
		if err != nil {
			t.Error(err)
			return
		}
		for i := range y {
			best, bestD := -1, math.Inf(1)
			for k, c := range l.Centers() {
				d := math.Hypot(float64(z[2*i])-c[0], float64(z[2*i+1])-c[1]) / l.Radius(k)
				if d < bestD {
					best, bestD = k, d
				}
			}
			arg := 0
			for k := 1; k < 3; k++ {
				if logits[3*i+k] > logits[3*i+arg] {
					arg = k
				}
			}
			if arg != best {
				t.Errorf("image %d: logits' argmax %d, nearest centre %d", i, arg, best)
			}
		}
	})
}
