package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
)

// directConv is a 3x3, padding 1 cross-correlation by loops, NHWC, kernel
// [(dy*3+dx)*cin + ci][co].
func directConv(x []float32, b, h, w, cin int, k []float32, cout int) []float32 {
	out := make([]float32, b*h*w*cout)
	for n := 0; n < b; n++ {
		for y := 0; y < h; y++ {
			for xx := 0; xx < w; xx++ {
				for co := 0; co < cout; co++ {
					s := 0.0
					for dy := 0; dy < 3; dy++ {
						for dx := 0; dx < 3; dx++ {
							yy, xs := y+dy-1, xx+dx-1
							if yy < 0 || yy >= h || xs < 0 || xs >= w {
								continue
							}
							for ci := 0; ci < cin; ci++ {
								s += float64(x[((n*h+yy)*w+xs)*cin+ci]) * float64(k[((dy*3+dx)*cin+ci)*cout+co])
							}
						}
					}
					out[((n*h+y)*w+xx)*cout+co] = float32(s)
				}
			}
		}
	}
	return out
}

func TestConv3x3MatchesDirectLoops(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(1, 2))
	const bs, h, w, cin, cout = 2, 6, 5, 3, 4
	x := randUniform(rng, bs*h*w*cin, -1, 1)
	k := randUniform(rng, 9*cin*cout, -1, 1)
	want := directConv(x, bs, h, w, cin, k, cout)
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			return []*graph.Node{Conv3x3(in[0], in[1]), Conv3x3Im2col(in[0], in[1])}
		}, tensors.FromFlatDataAndDimensions(x, bs, h, w, cin), tensors.FromFlatDataAndDimensions(k, 9*cin, cout))
		for v, name := range []string{"Conv3x3", "Conv3x3Im2col"} {
			if got := out[v].Shape().Dimensions; len(got) != 4 || got[0] != bs || got[1] != h || got[2] != w || got[3] != cout {
				t.Errorf("%s: shape %v, want [%d %d %d %d]", name, got, bs, h, w, cout)
				return
			}
			got := tensors.MustCopyFlatData[float32](out[v])
			for i := range want {
				if math.Abs(float64(got[i]-want[i])) > 1e-5 {
					t.Errorf("%s: conv[%d] = %v, want %v", name, i, got[i], want[i])
					return
				}
			}
		}
	})
}

// TestConvGradientsAgree compares the gradients of Conv3x3 (the backend's
// ConvGeneral) and Conv3x3Im2col (graph ops and MatMulFast) with respect
// to the input and the kernel, in float64.
func TestConvGradientsAgree(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(15, 16))
	const bs, h, w, cin, cout = 2, 5, 4, 3, 2
	rnd := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 2*rng.Float64() - 1
		}
		return v
	}
	x, k, r := rnd(bs*h*w*cin), rnd(9*cin*cout), rnd(bs*h*w*cout)
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			l1 := graph.ReduceAllSum(graph.Mul(Conv3x3(in[0], in[1]), in[2]))
			l2 := graph.ReduceAllSum(graph.Mul(Conv3x3Im2col(in[0], in[1]), in[2]))
			g1 := graph.Gradient(l1, in[0], in[1])
			g2 := graph.Gradient(l2, in[0], in[1])
			return []*graph.Node{g1[0], g2[0], g1[1], g2[1]}
		}, tensors.FromFlatDataAndDimensions(x, bs, h, w, cin), tensors.FromFlatDataAndDimensions(k, 9*cin, cout),
			tensors.FromFlatDataAndDimensions(r, bs, h, w, cout))
		for i, name := range []string{"input", "kernel"} {
			a := tensors.MustCopyFlatData[float64](out[2*i])
			c := tensors.MustCopyFlatData[float64](out[2*i+1])
			for j := range a {
				if math.Abs(a[j]-c[j]) > 1e-12 {
					t.Errorf("gradient w.r.t. the %s [%d]: ConvGeneral %v, im2col %v", name, j, a[j], c[j])
					break
				}
			}
		}
	})
}

func TestMaxPool2(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(3, 4))
	const bs, h, w, c = 2, 4, 6, 3
	x := randUniform(rng, bs*h*w*c, -1, 1)
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			return []*graph.Node{MaxPool2(in[0])}
		}, tensors.FromFlatDataAndDimensions(x, bs, h, w, c))
		got := tensors.MustCopyFlatData[float32](out[0])
		for n := 0; n < bs; n++ {
			for y := 0; y < h/2; y++ {
				for xx := 0; xx < w/2; xx++ {
					for ch := 0; ch < c; ch++ {
						m := float32(math.Inf(-1))
						for dy := 0; dy < 2; dy++ {
							for dx := 0; dx < 2; dx++ {
								m = max(m, x[((n*h+2*y+dy)*w+2*xx+dx)*c+ch])
							}
						}
						if g := got[((n*(h/2)+y)*(w/2)+xx)*c+ch]; g != m {
							t.Errorf("pool[%d,%d,%d,%d] = %v, want %v", n, y, xx, ch, g, m)
							return
						}
					}
				}
			}
		}
	})
}

// TestMaxPoolFormulationsAgree compares MaxPool2 (ReduceWindow) with the
// reshape + ReduceMax formulation, value and gradient, on data without
// ties.
func TestMaxPoolFormulationsAgree(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(19, 20))
	const bs, h, w, c = 2, 4, 6, 3
	x := randUniform(rng, bs*h*w*c, -1, 1)
	r := randUniform(rng, bs*h/2*w/2*c, -1, 1)
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			p1, p2 := MaxPool2(in[0]), maxPool2Reshape(in[0])
			g1 := graph.Gradient(graph.ReduceAllSum(graph.Mul(p1, in[1])), in[0])[0]
			g2 := graph.Gradient(graph.ReduceAllSum(graph.Mul(p2, in[1])), in[0])[0]
			return []*graph.Node{p1, p2, g1, g2}
		}, tensors.FromFlatDataAndDimensions(x, bs, h, w, c), tensors.FromFlatDataAndDimensions(r, bs, h/2, w/2, c))
		for i, name := range []string{"value", "gradient"} {
			a := tensors.MustCopyFlatData[float32](out[2*i])
			o := tensors.MustCopyFlatData[float32](out[2*i+1])
			for j := range a {
				if a[j] != o[j] {
					t.Errorf("%s[%d]: MaxPool %v, reshape %v", name, j, a[j], o[j])
					break
				}
			}
		}
	})
}
