// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

// lsconf fork: the parallel float32 elementwise ops against upstream's
// executors, bit for bit.

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

func TestElementwiseParallel(t *testing.T) {
	backend := newConvTestBackend(t, 3)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(13, 14))
	randVals := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			switch rng.IntN(30) {
			case 0:
				v[i] = float32(math.NaN())
			case 1:
				v[i] = float32(math.Inf(1 - 2*rng.IntN(2)))
			case 2:
				v[i] = 0
			default:
				v[i] = float32(rng.NormFloat64())
			}
		}
		return v
	}
	const n = 3*elementwiseChunk + 17
	big := shapes.Make(dtypes.Float32, 7, n/7+1)
	sizes := [][2]shapes.Shape{
		{big, big},
		{big, shapes.Make(dtypes.Float32)},
		{shapes.Make(dtypes.Float32), big},
		{shapes.Make(dtypes.Float32, 5, 3), shapes.Make(dtypes.Float32, 5, 3)}, // small: upstream
		{big, shapes.Make(dtypes.Float32, 7, 1)},                               // broadcast, large (binaryF32Broadcast)
		// lsconf fork: broadcasts row by row (binaryF32Broadcast), small and
		// large, either side, last axis broadcast or not.
		{shapes.Make(dtypes.Float32, 5, 16), shapes.Make(dtypes.Float32, 1, 16)},
		{shapes.Make(dtypes.Float32, 1, 3, 9), shapes.Make(dtypes.Float32, 4, 1, 9)},
		{shapes.Make(dtypes.Float32, 4, 1, 1), shapes.Make(dtypes.Float32, 4, 3, 12)},
		{shapes.Make(dtypes.Float32, 64, 1024), shapes.Make(dtypes.Float32, 64, 1)},
		{shapes.Make(dtypes.Float32, 1, 1024), shapes.Make(dtypes.Float32, 64, 1024)},
		{shapes.Make(dtypes.Float32, 6, 4), shapes.Make(dtypes.Float32, 6, 1)}, // rows of 4: upstream
	}
	equal := func(a, b float32) bool {
		return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
	}
	for _, sz := range sizes {
		f := backend.Builder("elementwise").Main().(*gobackend.Function)
		lp, _ := f.Parameter("l", sz[0], nil)
		rp, _ := f.Parameter("r", sz[1], nil)
		l, r := randVals(sz[0].Size()), randVals(sz[1].Size())
		type binFn func(compute.Value, compute.Value) (compute.Value, error)
		for _, op := range []struct {
			name     string
			build    binFn
			upstream gobackend.NodeExecutor
			fast     gobackend.NodeExecutor
		}{
			{"Add", f.Add, execAdd, parallelBinaryExecutor(compute.OpTypeAdd)},
			{"Sub", f.Sub, execSub, parallelBinaryExecutor(compute.OpTypeSub)},
			{"Mul", f.Mul, execMul, parallelBinaryExecutor(compute.OpTypeMul)},
			{"Div", f.Div, execDiv, parallelBinaryExecutor(compute.OpTypeDiv)},
			{"Max", f.Max, execMax, parallelBinaryExecutor(compute.OpTypeMax)},
			{"Min", f.Min, execMin, parallelBinaryExecutor(compute.OpTypeMin)},
			{"GreaterThan", f.GreaterThan, execGreaterThan, execGreaterThanParallel},
		} {
			v, err := op.build(lp, rp)
			if err != nil {
				t.Fatalf("%s %v: %+v", op.name, sz, err)
			}
			node := v.(*gobackend.Node)
			run := func(fn gobackend.NodeExecutor) *gobackend.Buffer {
				lb := makeTestBuffer(t, backend, sz[0], append([]float32(nil), l...))
				rb := makeTestBuffer(t, backend, sz[1], append([]float32(nil), r...))
				out, err := fn(backend, node, []*gobackend.Buffer{lb, rb}, []bool{true, true})
				if err != nil {
					t.Fatalf("%s: %+v", op.name, err)
				}
				return out
			}
			want, got := run(op.upstream), run(op.fast)
			switch w := want.Flat.(type) {
			case []float32:
				g := got.Flat.([]float32)
				for i := range w {
					if !equal(g[i], w[i]) {
						t.Fatalf("%s %v: value %d = %v, upstream %v", op.name, sz, i, g[i], w[i])
					}
				}
			case []bool:
				g := got.Flat.([]bool)
				for i := range w {
					if g[i] != w[i] {
						t.Fatalf("%s %v: value %d = %v, upstream %v", op.name, sz, i, g[i], w[i])
					}
				}
			}
		}
		// Sqrt of the left operand.
		v, _ := f.Sqrt(lp)
		node := v.(*gobackend.Node)
		run := func(fn gobackend.NodeExecutor) []float32 {
			lb := makeTestBuffer(t, backend, sz[0], append([]float32(nil), l...))
			out, err := fn(backend, node, []*gobackend.Buffer{lb}, []bool{true})
			if err != nil {
				t.Fatal(err)
			}
			return out.Flat.([]float32)
		}
		want, got := run(execSqrt), run(execSqrtParallel)
		for i := range want {
			if !equal(got[i], want[i]) {
				t.Fatalf("Sqrt %v: value %d = %v, upstream %v", sz[0], i, got[i], want[i])
			}
		}
		// Logistic of the left operand.
		v, _ = f.Logistic(lp)
		node = v.(*gobackend.Node)
		want, got = run(execLogistic), run(execLogisticParallel)
		for i := range want {
			if !logisticClose(got[i], want[i]) {
				t.Fatalf("Logistic %v: value %d = %v, upstream %v", sz[0], i, got[i], want[i])
			}
		}
	}
}
