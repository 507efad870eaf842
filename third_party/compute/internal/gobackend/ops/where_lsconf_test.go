// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

// lsconf fork: the branch-free float32 Where against upstream's generic
// loop.

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

func TestWhereFloat32(t *testing.T) {
	backend := newConvTestBackend(t, 1)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(9, 10))
	const n = 1000
	cond := make([]bool, n)
	vals := [2][]float32{make([]float32, n), make([]float32, n)}
	for i := range cond {
		cond[i] = rng.IntN(2) == 0
		for j := range vals {
			switch rng.IntN(10) {
			case 0:
				vals[j][i] = float32(math.NaN())
			case 1:
				vals[j][i] = float32(math.Inf(-1))
			default:
				vals[j][i] = float32(rng.NormFloat64())
			}
		}
	}
	full := shapes.Make(dtypes.Float32, n)
	scalar := shapes.Make(dtypes.Float32)
	condBuf := makeTestBuffer(t, backend, shapes.Make(dtypes.Bool, n), cond)
	for _, shp := range [][2]shapes.Shape{{full, full}, {full, scalar}, {scalar, full}, {scalar, scalar}} {
		var bufs [2]any
		for j := range bufs {
			if shp[j].IsScalar() {
				bufs[j] = vals[j][:1]
			} else {
				bufs[j] = vals[j]
			}
		}
		tb := makeTestBuffer(t, backend, shp[0], bufs[0])
		fb := makeTestBuffer(t, backend, shp[1], bufs[1])
		want := makeTestBuffer(t, backend, full, make([]float32, n))
		execWhereGeneric[float32](condBuf, tb, fb, want)
		got := make([]float32, n)
		whereFloat32(cond, bufs[0].([]float32), bufs[1].([]float32), got)
		for i, w := range want.Flat.([]float32) {
			if math.Float32bits(w) != math.Float32bits(got[i]) {
				t.Fatalf("shapes %v: value %d = %v, want %v", shp, i, got[i], w)
			}
		}
	}
}

func makeTestBuffer(t *testing.T, backend *gobackend.Backend, shape shapes.Shape, flat any) *gobackend.Buffer {
	t.Helper()
	b, err := backend.BufferFromFlatData(0, flat, shape)
	if err != nil {
		t.Fatal(err)
	}
	return b.(*gobackend.Buffer)
}

// TestWhereParallel checks the chunked float32 Where of a large tensor
// against upstream's loop.
func TestWhereParallel(t *testing.T) {
	backend := newConvTestBackend(t, 3)
	defer backend.Finalize()
	rng := rand.New(rand.NewPCG(15, 16))
	const n = 3*elementwiseChunk + 5
	full := shapes.Make(dtypes.Float32, n)
	cond := make([]bool, n)
	vals := make([]float32, n)
	for i := range cond {
		cond[i] = rng.IntN(2) == 0
		vals[i] = float32(rng.NormFloat64())
	}
	f := backend.Builder("where").Main().(*gobackend.Function)
	cp, _ := f.Parameter("c", shapes.Make(dtypes.Bool, n), nil)
	vp, _ := f.Parameter("v", full, nil)
	zero, _ := f.Parameter("z", shapes.Make(dtypes.Float32), nil)
	for _, order := range [][2]int{{0, 1}, {1, 0}} {
		ops := [2]any{vp, zero}
		w, err := f.Where(cp, ops[order[0]].(*gobackend.Node), ops[order[1]].(*gobackend.Node))
		if err != nil {
			t.Fatal(err)
		}
		node := w.(*gobackend.Node)
		bufs := [2]*gobackend.Buffer{makeTestBuffer(t, backend, full, vals), makeTestBuffer(t, backend, shapes.Make(dtypes.Float32), []float32{0.5})}
		cb := makeTestBuffer(t, backend, shapes.Make(dtypes.Bool, n), cond)
		got, err := execWhere(backend, node, []*gobackend.Buffer{cb, bufs[order[0]], bufs[order[1]]}, []bool{false, false, false})
		if err != nil {
			t.Fatal(err)
		}
		want := makeTestBuffer(t, backend, full, make([]float32, n))
		execWhereGeneric[float32](cb, bufs[order[0]], bufs[order[1]], want)
		g, wf := got.Flat.([]float32), want.Flat.([]float32)
		for i := range wf {
			if g[i] != wf[i] {
				t.Fatalf("order %v: value %d = %v, want %v", order, i, g[i], wf[i])
			}
		}
	}
}
