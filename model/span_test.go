package model

import (
	"math"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// TestSpanMatrix: the projection onto the centres' span is the identity
// for a layout whose centres span the space, and diag(1, 1, 1, 0, 0) for
// 4 simplex centres in 5 dimensions (the extra coordinates of every
// centre are 0).
func TestSpanMatrix(t *testing.T) {
	for _, c := range []struct{ nc, nd, span int }{{4, 3, 3}, {4, 5, 3}, {6, 5, 5}} {
		l, err := latent.SpreadAuto(c.nc, c.nd, latent.PaperDC)
		if err != nil {
			t.Fatal(err)
		}
		p := SpanMatrix(l)
		for i := range c.nd {
			for j := range c.nd {
				want := 0.0
				if i == j && i < c.span {
					want = 1
				}
				if math.Abs(p[i][j]-want) > 1e-9 {
					t.Errorf("n_c %d n_d %d: P[%d][%d] = %v, want %v", c.nc, c.nd, i, j, p[i][j], want)
				}
			}
		}
	}
}

// TestSpanOnlyCenterLoss: the centre pull of z's projection onto the span
// ignores the extra coordinates (its value is that of z with them zeroed,
// and its gradient there is 0), while the pull of z itself counts them.
func TestSpanOnlyCenterLoss(t *testing.T) {
	b := testBackend(t)
	l, err := latent.SpreadAuto(3, 4, latent.PaperDC)
	if err != nil {
		t.Fatal(err)
	}
	c := l.Center(1)
	z := []float64{c[0] + 0.1, c[1], 0.5, -0.5}
	r := l.Radius(1)
	want := 0.1 * 0.1 / (r * r)
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			span := CenterLoss(SpanProjection(in[0], l), in[1], l, latent.Sum)
			full := CenterLoss(in[0], in[1], l, latent.Sum)
			return []*graph.Node{span, graph.Gradient(span, in[0])[0], full}
		}, tensors.FromFlatDataAndDimensions(z, 1, 4), []int32{1})
		if got := tensors.ToScalar[float64](out[0]); math.Abs(got-want) > 1e-9 {
			t.Errorf("span-only centre loss %v, want %v", got, want)
		}
		grad := tensors.MustCopyFlatData[float64](out[1])
		if math.Abs(grad[0]-2*0.1/(r*r)) > 1e-9 || math.Abs(grad[1]) > 1e-9 || math.Abs(grad[2]) > 1e-9 || math.Abs(grad[3]) > 1e-9 {
			t.Errorf("gradient %v, want [%v 0 0 0]", grad, 2*0.1/(r*r))
		}
		if got := tensors.ToScalar[float64](out[2]); math.Abs(got-(0.01+0.5)/(r*r)) > 1e-9 {
			t.Errorf("full centre loss %v, want %v", got, (0.01+0.5)/(r*r))
		}
	})
}
