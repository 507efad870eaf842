package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
)

// TestMatMulFastGradient compares MatMulFast's value and hand-written
// gradient with GoMLX's own Dot and autodiff, for shapes that take each of
// its two weight-gradient formulations.
func TestMatMulFastGradient(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sh := range [][3]int{{50, 3, 7}, {6, 40, 5}, {1, 1, 1}} {
		n, k, m := sh[0], sh[1], sh[2]
		rnd := func(c int) []float64 {
			v := make([]float64, c)
			for i := range v {
				v[i] = 2*rng.Float64() - 1
			}
			return v
		}
		a, w, r := rnd(n*k), rnd(k*m), rnd(n*m)
		testutil.Within(t, graphTimeout, func() {
			out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
				fast := MatMulFast(in[0], in[1])
				plain := graph.Dot(in[0], in[1]).Product()
				// A loss that is not symmetric in the output entries, and a
				// second use of a so the custom gradient is accumulated.
				lf := graph.Add(graph.ReduceAllSum(graph.Mul(fast, in[2])), graph.ReduceAllSum(graph.Square(in[0])))
				lp := graph.Add(graph.ReduceAllSum(graph.Mul(plain, in[2])), graph.ReduceAllSum(graph.Square(in[0])))
				gf := graph.Gradient(lf, in[0], in[1])
				gp := graph.Gradient(lp, in[0], in[1])
				return []*graph.Node{fast, plain, gf[0], gp[0], gf[1], gp[1]}
			}, tensors.FromFlatDataAndDimensions(a, n, k), tensors.FromFlatDataAndDimensions(w, k, m), tensors.FromFlatDataAndDimensions(r, n, m))
			for i := 0; i < 6; i += 2 {
				x := tensors.MustCopyFlatData[float64](out[i])
				y := tensors.MustCopyFlatData[float64](out[i+1])
				if len(x) != len(y) {
					t.Errorf("shape %v output %d: %d vs %d values", sh, i/2, len(x), len(y))
					continue
				}
				for j := range x {
					if math.Abs(x[j]-y[j]) > 1e-12 {
						t.Errorf("shape %v output %d (value, da, dw) [%d]: %v, GoMLX says %v", sh, i/2, j, x[j], y[j])
						break
					}
				}
			}
		})
	}
}
