// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

// lsconf fork: tests of the batch-norm ops against a float64 evaluation of
// XLA's formulas, through compiled graphs (so the registration and the
// multi-output plumbing are tested too).

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// bnReference computes, in float64, the training outputs (normalized,
// mean, variance) and the gradients (operand, scale, offset) for gradient
// g, with the batch statistics.
func bnReference(x, scale, offset, g []float64, dims []int, axis int, eps float64) (y, mean, vari, gx, gScale, gOffset []float64) {
	l := bnLayout{outer: 1, feat: dims[axis], inner: 1}
	for i, d := range dims {
		if i < axis {
			l.outer *= d
		} else if i > axis {
			l.inner *= d
		}
	}
	n := float64(l.count())
	idx := func(o, f, i int) int { return (o*l.feat+f)*l.inner + i }
	mean = make([]float64, l.feat)
	vari = make([]float64, l.feat)
	gScale = make([]float64, l.feat)
	gOffset = make([]float64, l.feat)
	y = make([]float64, len(x))
	gx = make([]float64, len(x))
	for f := 0; f < l.feat; f++ {
		for o := 0; o < l.outer; o++ {
			for i := 0; i < l.inner; i++ {
				mean[f] += x[idx(o, f, i)] / n
			}
		}
		for o := 0; o < l.outer; o++ {
			for i := 0; i < l.inner; i++ {
				d := x[idx(o, f, i)] - mean[f]
				vari[f] += d * d / n
			}
		}
		inv := 1 / math.Sqrt(vari[f]+eps)
		for o := 0; o < l.outer; o++ {
			for i := 0; i < l.inner; i++ {
				k := idx(o, f, i)
				xh := (x[k] - mean[f]) * inv
				y[k] = xh*scale[f] + offset[f]
				gOffset[f] += g[k]
				gScale[f] += g[k] * xh
			}
		}
		for o := 0; o < l.outer; o++ {
			for i := 0; i < l.inner; i++ {
				k := idx(o, f, i)
				xh := (x[k] - mean[f]) * inv
				gx[k] = scale[f] * inv * (g[k] - gOffset[f]/n - xh*gScale[f]/n)
			}
		}
	}
	return
}

// runGraph compiles fn's graph on the backend and runs it on the inputs.
func runGraph(t *testing.T, backend *gobackend.Backend, inputs []shapes.Shape, flats []any,
	fn func(f compute.Function, params []compute.Value) []compute.Value) [][]float64 {
	t.Helper()
	b := backend.Builder("batchnorm_test")
	f := b.Main()
	params := make([]compute.Value, len(inputs))
	for i, s := range inputs {
		p, err := f.Parameter(fmt.Sprintf("p%d", i), s, nil)
		if err != nil {
			t.Fatal(err)
		}
		params[i] = p
	}
	if err := f.Return(fn(f, params), nil); err != nil {
		t.Fatal(err)
	}
	exec, err := b.Compile()
	if err != nil {
		t.Fatal(err)
	}
	bufs := make([]compute.Buffer, len(inputs))
	for i, s := range inputs {
		bufs[i], err = backend.BufferFromFlatData(0, flats[i], s)
		if err != nil {
			t.Fatal(err)
		}
	}
	outs, err := exec.Execute(bufs, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	res := make([][]float64, len(outs))
	for i, o := range outs {
		switch v := o.(*gobackend.Buffer).Flat.(type) {
		case []float32:
			for _, x := range v {
				res[i] = append(res[i], float64(x))
			}
		case []float64:
			res[i] = append(res[i], v...)
		}
	}
	exec.Finalize()
	return res
}

func TestBatchNormOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	backend := newConvTestBackend(t, 3)
	defer backend.Finalize()
	for trial := 0; trial < 40; trial++ {
		rank := 1 + rng.IntN(4)
		dims := make([]int, rank)
		for i := range dims {
			dims[i] = 1 + rng.IntN(7)
		}
		if trial%4 == 0 { // large enough to be split over the workers
			dims = []int{16, 12, 12, 1 + rng.IntN(40)}
			rank = 4
		}
		axis := rng.IntN(rank)
		feat := dims[axis]
		size := 1
		for _, d := range dims {
			size *= d
		}
		dt := dtypes.Float32
		if trial%5 == 1 {
			dt = dtypes.Float64
		}
		eps := 1e-3
		x, g := make([]float64, size), make([]float64, size)
		sc, off := make([]float64, feat), make([]float64, feat)
		shift := 10 * rng.NormFloat64()
		for i := range x {
			x[i] = shift + rng.NormFloat64()
			g[i] = rng.NormFloat64()
		}
		for i := range sc {
			sc[i] = 0.5 + rng.Float64()
			off[i] = rng.NormFloat64()
		}
		wantY, wantMean, wantVar, wantGX, wantGScale, wantGOffset := bnReference(x, sc, off, g, dims, axis, eps)
		conv := func(v []float64) any {
			if dt == dtypes.Float64 {
				return v
			}
			out := make([]float32, len(v))
			for i, x := range v {
				out[i] = float32(x)
			}
			return out
		}
		xs, fs := shapes.Make(dt, dims...), shapes.Make(dt, feat)
		// Training forward and the gradient at the batch statistics.
		got := runGraph(t, backend, []shapes.Shape{xs, fs, fs, xs}, []any{conv(x), conv(sc), conv(off), conv(g)},
			func(f compute.Function, p []compute.Value) []compute.Value {
				y, m, v, err := f.BatchNormForTraining(p[0], p[1], p[2], float32(eps), axis-rank*(trial%2))
				if err != nil {
					t.Fatal(err)
				}
				gx, gs, gb, err := f.BatchNormGradient(p[0], p[1], m, v, p[3], float32(eps), axis)
				if err != nil {
					t.Fatal(err)
				}
				yi, err := f.BatchNormForInference(p[0], p[1], p[2], m, v, float32(eps), axis)
				if err != nil {
					t.Fatal(err)
				}
				return []compute.Value{y, m, v, gx, gs, gb, yi}
			})
		tol := 2e-4
		if dt == dtypes.Float64 {
			tol = 1e-9
		}
		name := fmt.Sprintf("trial %d, %s %v axis %d", trial, dt, dims, axis)
		for i, want := range [][]float64{wantY, wantMean, wantVar, wantGX, wantGScale, wantGOffset, wantY} {
			scale := 1.0
			for _, w := range want {
				scale = max(scale, math.Abs(w))
			}
			for j := range want {
				if d := math.Abs(got[i][j] - want[j]); !(d <= tol*scale) {
					t.Fatalf("%s: output %d value %d = %g, want %g", name, i, j, got[i][j], want[j])
				}
			}
		}
	}
}

// TestBatchNormOpsErrors checks the shape validation.
func TestBatchNormOpsErrors(t *testing.T) {
	backend := newConvTestBackend(t, 1)
	defer backend.Finalize()
	f := backend.Builder("batchnorm_errors").Main()
	x, _ := f.Parameter("x", shapes.Make(dtypes.Float32, 2, 3), nil)
	bad, _ := f.Parameter("s", shapes.Make(dtypes.Float32, 2), nil)
	i32, _ := f.Parameter("i", shapes.Make(dtypes.Int32, 2, 3), nil)
	if _, _, _, err := f.BatchNormForTraining(x, bad, bad, 1e-5, 1); err == nil {
		t.Error("wrong feature size accepted")
	}
	if _, _, _, err := f.BatchNormForTraining(x, bad, bad, 1e-5, 2); err == nil {
		t.Error("feature axis out of range accepted")
	}
	if _, _, _, err := f.BatchNormForTraining(i32, bad, bad, 1e-5, 0); err == nil {
		t.Error("int32 operand accepted")
	}
}
