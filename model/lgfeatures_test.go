package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/latent"
)

// TestScaleGradient: the forward value is x, the gradient keep times
// x's (here of sum x^2: 2x).
func TestScaleGradient(t *testing.T) {
	b := testBackend(t)
	x := []float32{1, -2, 3}
	out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
		y := ScaleGradient(in[0], 0.25)
		return []*graph.Node{y, graph.Gradient(graph.ReduceAllSum(graph.Mul(y, y)), in[0])[0]}
	}, tensors.FromFlatDataAndDimensions(x, 3))
	val, grad := tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1])
	for i := range x {
		if val[i] != x[i] || math.Abs(float64(grad[i]-0.5*x[i])) > 1e-6 {
			t.Errorf("element %d: value %v gradient %v, want %v and %v", i, val[i], grad[i], x[i], 0.5*x[i])
		}
	}
}

// TestGeometricLatentStop: L_G on geometricLatent gives the same z and
// the same gradient to the dense map to z whatever the stop; the
// gradient it sends to a convolution kernel is (1 - stop) times the
// full one (none at stop 1).
func TestGeometricLatentStop(t *testing.T) {
	b := testBackend(t)
	c := Config{NC: 3, ND: 2, Width: 16}.WithDefaults()
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	c.Layout = l
	w, err := Init(c, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 4
	x := randUniform(rng, n*32*32, 0, 1)
	specs, bnSpecs := Specs(c), BNSpecs(c)
	grads := map[float64][3][]float32{}
	for _, stop := range []float64{0, 0.5, 1} {
		var args []any
		for i, s := range specs {
			args = append(args, tensors.FromFlatDataAndDimensions(w.Params[i], s.Shape...))
		}
		for i, s := range bnSpecs {
			args = append(args, tensors.FromFlatDataAndDimensions(w.BN[i], s.Shape...))
		}
		args = append(args, tensors.FromFlatDataAndDimensions(x, n, 32, 32, 1), tensors.FromFlatDataAndDimensions([]int32{0, 1, 2, 1}, n))
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			params, bn := in[:len(specs)], in[len(specs):len(specs)+len(bnSpecs)]
			xs, ys := in[len(in)-2], in[len(in)-1]
			o := Forward(c, params, bn, xs, true)
			zg := geometricLatent(c, params, o.Z, o.Features, stop)
			loss := graph.Add(GeometricLoss(zg, ys, l, latent.Sum), CenterLoss(zg, ys, l, latent.Sum))
			gr := graph.Gradient(loss, params[0], params[latentParamsAt])
			return []*graph.Node{zg, gr[0], gr[1]}
		}, args...)
		grads[stop] = [3][]float32{tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1]), tensors.MustCopyFlatData[float32](out[2])}
	}
	full := grads[0]
	norm := 0.0
	for _, v := range full[1] {
		norm += math.Abs(float64(v))
	}
	if norm == 0 {
		t.Fatal("L_G sends no gradient to the first kernel without a stop: the test cannot tell")
	}
	for _, stop := range []float64{0.5, 1} {
		g := grads[stop]
		for i := range full[0] {
			if math.Abs(float64(g[0][i]-full[0][i])) > 1e-6 {
				t.Fatalf("stop %v: z[%d] = %v, want %v", stop, i, g[0][i], full[0][i])
			}
		}
		for i := range full[1] {
			if want := (1 - stop) * float64(full[1][i]); math.Abs(float64(g[1][i])-want) > 1e-5*(1+math.Abs(want)) {
				t.Fatalf("stop %v: kernel gradient %d = %v, want %v", stop, i, g[1][i], want)
			}
		}
		for i := range full[2] {
			if math.Abs(float64(g[2][i]-full[2][i])) > 1e-5*(1+math.Abs(float64(full[2][i]))) {
				t.Fatalf("stop %v: dense-map gradient %d = %v, want %v", stop, i, g[2][i], full[2][i])
			}
		}
	}
}
