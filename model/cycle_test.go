package model

import (
	"math"
	"slices"
	"testing"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// TestCyclePoints checks the points of the cycle term: the centres first,
// then one point inside each class's ball, then points on segments
// between two distinct centres; the same draw for the same seed and
// step, another for another step.
func TestCyclePoints(t *testing.T) {
	l, err := latent.Spread(4, 3, latent.PaperDC, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	nc, nd := l.NC(), l.ND()
	p := CyclePoints(l, 3, 10)
	if len(p) != CyclePointCount(nc)*nd {
		t.Fatalf("%d values, want %d", len(p), CyclePointCount(nc)*nd)
	}
	at := func(k int) []float64 {
		v := make([]float64, nd)
		for d := range v {
			v[d] = float64(p[k*nd+d])
		}
		return v
	}
	dist := func(a, b []float64) float64 {
		var s float64
		for d := range a {
			s += (a[d] - b[d]) * (a[d] - b[d])
		}
		return math.Sqrt(s)
	}
	for c := 0; c < nc; c++ {
		if d := dist(at(c), l.Center(c)); d > 1e-6 {
			t.Errorf("point %d is %v from centre %d", c, d, c)
		}
		if d := dist(at(nc+c), l.Center(c)); d > l.Radius(c)+1e-6 {
			t.Errorf("ball point of class %d is %v from its centre, r_c %v", c, d, l.Radius(c))
		}
	}
	for k := 2 * nc; k < CyclePointCount(nc); k++ {
		on := false
		for i := 0; i < nc && !on; i++ {
			for j := 0; j < nc && !on; j++ {
				a, b := l.Center(i), l.Center(j)
				on = i != j && math.Abs(dist(at(k), a)+dist(at(k), b)-dist(a, b)) < 1e-5
			}
		}
		if !on {
			t.Errorf("point %d %v lies on no segment between two centres", k, at(k))
		}
	}
	if !slices.Equal(p, CyclePoints(l, 3, 10)) {
		t.Error("the same seed and step drew other points")
	}
	if slices.Equal(p, CyclePoints(l, 3, 11)) {
		t.Error("another step drew the same points")
	}
}

// cycleRun trains a tiny autoencoder with cycle weight w on side trains
// for some steps and returns the mean cycle error of its first and last
// three steps.
func cycleRun(t *testing.T, w float64, trains CycleTrains) (first, last float64) {
	t.Helper()
	net := tinyAE(t, func(l *LossConfig) { l.Cycle, l.CycleSeed, l.CycleTrains = w, 1, trains })
	return trainTiny(t, net, 60, func(r StepResult) float64 { return r.Cycle })
}

// TestCycleTermLowersCycleError trains the same tiny autoencoder with a
// negligible cycle weight (the error measured, not trained) and with a
// real one, trained by the encoder and by both sides: the trained round
// trips end closer to their points.
func TestCycleTermLowersCycleError(t *testing.T) {
	_, off := cycleRun(t, 1e-9, CycleBoth)
	for _, trains := range []CycleTrains{CycleEncoder, CycleBoth} {
		f, on := cycleRun(t, 5, trains)
		t.Logf("%s: cycle error %.4f -> %.4f with the term; %.4f without", trains, f, on, off)
		if !(on < 0.5*off) {
			t.Errorf("%s: cycle error %.4f with the term, %.4f without", trains, on, off)
		}
	}
	b := testBackend(t)
	cfg := Config{NC: 3, ND: 2, Width: 16}
	ws, _ := Init(cfg, 1)
	l, _ := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if _, err := NewTrainer(b, cfg, &State{Weights: *ws}, LossConfig{Mode: ModeCEG, KG: 0.2, Layout: l, Cycle: 1}, DefaultAdam(1e-3)); err == nil {
		t.Error("a cycle weight was accepted for a model without a decoder")
	}
}

// TestCycleTrainsOneSide takes one step with the cycle term trained by
// one side and one with a negligible cycle weight: with CycleDecoder the
// encoder's and the head's weights move alike and the decoder's differ,
// with CycleEncoder the other way round.
func TestCycleTrainsOneSide(t *testing.T) {
	cfg := Config{NC: 3, ND: 2, Width: 16, Decoder: true}
	x, y := patterns(16, 2)
	step := func(w float64, trains CycleTrains) [][]float32 {
		net := tinyAE(t, func(l *LossConfig) { l.Cycle, l.CycleSeed, l.CycleTrains = w, 1, trains })
		var st *State
		testutil.Within(t, graphTimeout, func() {
			var err error
			if _, err = net.TrainStep(x, y); err != nil {
				t.Error(err)
				return
			}
			if st, err = net.State(); err != nil {
				t.Error(err)
			}
		})
		if st == nil {
			t.FailNow()
		}
		return st.Params
	}
	p, _ := decoderOffsets(cfg)
	for _, trains := range []CycleTrains{CycleDecoder, CycleEncoder} {
		a, c := step(1e-9, trains), step(5, trains)
		var encDiff, decDiff float64
		for i := range a {
			for k := range a[i] {
				d := math.Abs(float64(a[i][k] - c[i][k]))
				if i < p {
					encDiff = max(encDiff, d)
				} else {
					decDiff = max(decDiff, d)
				}
			}
		}
		t.Logf("%s: largest weight change by the term: encoder and head %g, decoder %g", trains, encDiff, decDiff)
		moved, still := decDiff, encDiff
		if trains == CycleEncoder {
			moved, still = encDiff, decDiff
		}
		if still > 1e-6 || moved < 1e-4 {
			t.Errorf("the cycle term trained by the %s moved the encoder and head by %g, the decoder by %g", trains, encDiff, decDiff)
		}
	}
	if _, err := ParseCycleTrains("both-sides"); err == nil {
		t.Error("an unknown side was accepted")
	}
}
