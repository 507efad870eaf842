package model

import (
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// circleNet is the paper's 3-class circle layout and a narrow
// distance-head model on it (scale 0.25).
func circleNet(t *testing.T) (*latent.Layout, Config) {
	t.Helper()
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	return l, Config{NC: 3, ND: 2, Width: 16, Head: HeadDistance, DistScale: 0.25, Layout: l}
}

// turnedHalf is the first half of the batch x (n images) turned as
// PlaceholderRotate turns it: image j by 90 degrees clockwise (even j) or
// 180 degrees (odd j), on the host.
func turnedHalf(x []float32, n int) []float32 {
	h := n / 2
	out := make([]float32, h*1024)
	for j := range h {
		src := x[j*1024 : (j+1)*1024]
		for y := range 32 {
			for xx := range 32 {
				v := src[(31-xx)*32+y]
				if j%2 == 1 {
					v = src[(31-y)*32+31-xx]
				}
				out[j*1024+y*32+xx] = v
			}
		}
	}
	return out
}

// TestOutlierStepIsPlaceholderStep: a step whose outlier images are the
// batch's rotate placeholders, made on the host, is the rotate-placeholder
// step at the same weight (same loss, same weights and batch-norm
// statistics after it): the outliers join the batch norms' batch after
// the known images, and their loss is the placeholder loss with every
// image counted, at the outlier weight. The class losses see the known
// images only (the cross entropy and L_G match too).
func TestOutlierStepIsPlaceholderStep(t *testing.T) {
	b := testBackend(t)
	l, cfg := circleNet(t)
	x, y := stripes(16, 1)
	const w = 0.7
	step := func(loss LossConfig, outliers []float32) (StepResult, *State) {
		wt, err := Init(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := NewTrainer(b, cfg, &State{Weights: *wt}, loss, DefaultAdam(1e-3))
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		var r StepResult
		if outliers == nil {
			r, err = tr.TrainStep(x, y)
		} else {
			r, err = tr.TrainStepOutliers(x, y, outliers)
		}
		if err != nil {
			t.Fatal(err)
		}
		st, err := tr.State()
		if err != nil {
			t.Fatal(err)
		}
		return r, st
	}
	testutil.Within(t, 2*graphTimeout, func() {
		base := LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Center: 1}
		ph, oe := base, base
		ph.Placeholders, ph.PlaceholderKind = w, PlaceholderRotate
		oe.Outliers = w
		rp, sp := step(ph, nil)
		ro, so := step(oe, turnedHalf(x, len(y)))
		r0, _ := step(base, nil)
		for _, c := range [][3]float64{{rp.Loss, ro.Loss, 0}, {rp.CE, ro.CE, 1}, {rp.LG, ro.LG, 2}} {
			if math.Abs(c[0]-c[1]) > 1e-5*math.Max(1, math.Abs(c[0])) {
				t.Fatalf("figure %v: placeholder step %.7g, outlier step %.7g", c[2], c[0], c[1])
			}
		}
		if !(math.Abs(ro.Loss-r0.Loss) > 1e-3) {
			t.Fatalf("the outlier term changed nothing: %.7g with, %.7g without", ro.Loss, r0.Loss)
		}
		pw, ow := sp.Weights.Params, so.Weights.Params
		for i := range pw {
			for k := range pw[i] {
				if d := math.Abs(float64(pw[i][k] - ow[i][k])); d > 1e-5 {
					t.Fatalf("tensor %d value %d after the step: placeholder %v, outlier %v", i, k, pw[i][k], ow[i][k])
				}
			}
		}
		pb, ob := sp.Weights.BN, so.Weights.BN
		for i := range pb {
			for k := range pb[i] {
				if d := math.Abs(float64(pb[i][k] - ob[i][k])); d > 1e-5 {
					t.Fatalf("batch-norm statistic %d value %d: placeholder %v, outlier %v", i, k, pb[i][k], ob[i][k])
				}
			}
		}
	})
}

// TestOutlierLossCE: in mode ce the outlier loss is the cross entropy to
// the uniform distribution minus log n_c, by hand, whatever z.
func TestOutlierLossCE(t *testing.T) {
	b := testBackend(t)
	l, _ := circleNet(t)
	logits := []float64{0, 0, 0, 1, 0, 0}
	z := []float64{5, 5, 3, -1}
	lse := math.Log(math.E + 2)
	ce := -((1 - lse) + 2*(0-lse)) / 3
	want := (0 + ce - math.Log(3)) / 2
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			return []*graph.Node{OutlierLoss(in[0], in[1], LossConfig{Mode: ModeCE, Layout: l})}
		}, tensors.FromFlatDataAndDimensions(z, 2, 2), tensors.FromFlatDataAndDimensions(logits, 2, 3))
		if got := tensors.ToScalar[float64](out[0]); math.Abs(got-want) > 1e-12 || !(want > 0) {
			t.Errorf("ce outlier loss %.15g, want %.15g", got, want)
		}
	})
}

// TestOutlierStepErrors: outlier images need an outlier weight, an
// outlier weight needs outlier images, and the weight is validated.
func TestOutlierStepErrors(t *testing.T) {
	b := testBackend(t)
	l, cfg := circleNet(t)
	for _, bad := range []LossConfig{{Mode: ModeCEG, Layout: l, Outliers: -1}, {Mode: ModeCEG, Layout: l, Outliers: math.NaN()}} {
		if err := bad.Validate(cfg); err == nil || !strings.Contains(err.Error(), "outlier") {
			t.Errorf("outlier weight %v: %v", bad.Outliers, err)
		}
	}
	x, y := stripes(4, 1)
	testutil.Within(t, 2*graphTimeout, func() {
		for _, w := range []float64{0, 1} {
			wt, err := Init(cfg, 1)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := NewTrainer(b, cfg, &State{Weights: *wt}, LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Outliers: w}, DefaultAdam(1e-3))
			if err != nil {
				t.Fatal(err)
			}
			if w == 0 {
				if _, err := tr.TrainStepOutliers(x, y, x[:1024]); err == nil {
					t.Errorf("outlier images were taken without an outlier weight")
				}
			} else {
				if _, err := tr.TrainStep(x, y); err == nil || !strings.Contains(err.Error(), "outlier") {
					t.Errorf("a step without outlier images under an outlier weight: %v", err)
				}
				if _, err := tr.TrainStepOutliers(x, y, x[:1000]); err == nil {
					t.Errorf("a partial outlier image was taken")
				}
			}
			tr.Close()
		}
	})
}
