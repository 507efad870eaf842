package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// lgBatch is a batch with points inside their cluster, outside it, far
// away, and exactly on the centre (where the distance's gradient is 0/0).
func lgBatch(l *latent.Layout, rng *rand.Rand) ([][]float64, []int32) {
	var z [][]float64
	var y []int32
	for j := 0; j < 40; j++ {
		c := j % l.NC()
		p := l.Center(c)
		scale := []float64{0, 0.1, 0.5, 1.5, 3}[j%5]
		for k := range p {
			p[k] += scale * (2*rng.Float64() - 1)
		}
		z = append(z, p)
		y = append(y, int32(c))
	}
	return z, y
}

func TestGeometricLossMatchesLatent(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(7, 8))
	circle, err := latent.Circle(5, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	spread, err := latent.Spread(7, 3, 1, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*latent.Layout{circle, spread} {
		z, y := lgBatch(l, rng)
		yi := make([]int, len(y))
		flat := make([]float64, 0, len(z)*l.ND())
		for j := range z {
			yi[j] = int(y[j])
			flat = append(flat, z[j]...)
		}
		for _, red := range []latent.Reduction{latent.Sum, latent.Mean} {
			want, err := l.LG(z, yi, red)
			if err != nil {
				t.Fatal(err)
			}
			wantGrad, err := l.LGGrad(z, yi, red)
			if err != nil {
				t.Fatal(err)
			}
			testutil.Within(t, graphTimeout, func() {
				out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
					loss := GeometricLoss(in[0], in[1], l, red)
					return []*graph.Node{loss, graph.Gradient(loss, in[0])[0]}
				}, tensors.FromFlatDataAndDimensions(flat, len(z), l.ND()), y)
				got := tensors.ToScalar[float64](out[0])
				if math.Abs(got-want) > 1e-12*max(1, math.Abs(want)) {
					t.Errorf("%s n_d=%d: L_G = %.17g, latent says %.17g", red, l.ND(), got, want)
				}
				if want <= 0 {
					t.Errorf("%s: the batch should have points outside their cluster (L_G = %v)", red, want)
				}
				grad := tensors.MustCopyFlatData[float64](out[1])
				for j := range z {
					for k := range z[j] {
						g := grad[j*l.ND()+k]
						if math.IsNaN(g) || math.Abs(g-wantGrad[j][k]) > 1e-12*max(1, math.Abs(wantGrad[j][k])) {
							t.Errorf("%s n_d=%d: dL_G/dz[%d][%d] = %.17g, latent says %.17g", red, l.ND(), j, k, g, wantGrad[j][k])
						}
					}
				}
			})
		}
	}
}

func TestCrossEntropyAndCorrect(t *testing.T) {
	b := testBackend(t)
	logits := [][]float32{{1, 2, 0.5}, {3, -1, 0}, {0, 0, 4}, {0.2, 0.1, 0}}
	labels := []int32{1, 2, 2, 0}
	want, correct := 0.0, 0
	for i, row := range logits {
		s, best := 0.0, 0
		for k, v := range row {
			s += math.Exp(float64(v))
			if v > row[best] {
				best = k
			}
		}
		want -= float64(row[labels[i]]) - math.Log(s)
		if best == int(labels[i]) {
			correct++
		}
	}
	want /= float64(len(logits))
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			return []*graph.Node{CrossEntropy(in[0], in[1]), Correct(in[0], in[1])}
		}, logits, labels)
		if got := float64(tensors.ToScalar[float32](out[0])); math.Abs(got-want) > 1e-6 {
			t.Errorf("CE = %v, want %v", got, want)
		}
		if got := tensors.ToScalar[float32](out[1]); int(got) != correct {
			t.Errorf("correct = %v, want %d", got, correct)
		}
	})
}

// TestCenterLoss checks the optional centre pull against its float64
// definition, sum (or mean) of (d_j / r_{y_j})^2, value and gradient
// 2 (z - C) / r^2.
func TestCenterLoss(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(9, 10))
	l, err := latent.Spread(6, 3, 1, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	z, y := lgBatch(l, rng)
	flat := make([]float64, 0, len(z)*l.ND())
	want, wantGrad := 0.0, make([]float64, 0, len(z)*l.ND())
	for j := range z {
		flat = append(flat, z[j]...)
		c, r := l.Center(int(y[j])), l.Radius(int(y[j]))
		for k := range z[j] {
			want += (z[j][k] - c[k]) * (z[j][k] - c[k]) / (r * r)
			wantGrad = append(wantGrad, 2*(z[j][k]-c[k])/(r*r))
		}
	}
	for _, red := range []latent.Reduction{latent.Sum, latent.Mean} {
		scale := 1.0
		if red == latent.Mean {
			scale = 1 / float64(len(z))
		}
		testutil.Within(t, graphTimeout, func() {
			out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
				loss := CenterLoss(in[0], in[1], l, red)
				return []*graph.Node{loss, graph.Gradient(loss, in[0])[0]}
			}, tensors.FromFlatDataAndDimensions(flat, len(z), l.ND()), y)
			if got := tensors.ToScalar[float64](out[0]); math.Abs(got-scale*want) > 1e-12*scale*want {
				t.Errorf("%s: centre loss %.17g, want %.17g", red, got, scale*want)
			}
			grad := tensors.MustCopyFlatData[float64](out[1])
			for i := range grad {
				if math.Abs(grad[i]-scale*wantGrad[i]) > 1e-12*max(1, math.Abs(wantGrad[i])) {
					t.Errorf("%s: gradient[%d] = %v, want %v", red, i, grad[i], scale*wantGrad[i])
				}
			}
		})
	}
}

// TestCosineSchedule checks the learning-rate schedules: constant keeps
// the rate, cosine starts at it, halves it midway and ends at 0.
func TestCosineSchedule(t *testing.T) {
	a := DefaultAdam(1e-3)
	for _, s := range []int64{1, 50, 1000} {
		if got := a.LRAt(s); got != 1e-3 {
			t.Errorf("constant schedule at step %d: %v", s, got)
		}
	}
	a.Schedule, a.TotalSteps = ScheduleCosine, 100
	for _, c := range []struct {
		step int64
		want float64
	}{{1, 1e-3}, {51, 5e-4}, {101, 0}, {500, 0}} {
		if got := a.LRAt(c.step); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("cosine schedule at step %d: %v, want %v", c.step, got, c.want)
		}
	}
	if a.LRAt(30) <= a.LRAt(31) {
		t.Error("cosine schedule does not decrease")
	}
	if _, err := ParseSchedule("linear"); err == nil {
		t.Error("unknown schedule accepted")
	}
}
