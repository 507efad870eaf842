// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package passes_test

// lsconf fork: a broadcast scalar feeding Where is fused away, with the
// same results.

import (
	"slices"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

func TestWhereScalarBroadcastFusion(t *testing.T) {
	backend := compute.MustNew()
	defer backend.Finalize()
	for _, side := range []int{1, 2} {
		builder := backend.Builder("WhereScalar").(*gobackend.Builder)
		main := builder.Main().(*gobackend.Function)
		shape := shapes.Make(dtypes.Float32, 2, 3)
		x, _ := main.Parameter("x", shape, nil)
		zero, _ := main.Constant([]float32{0})
		zeroScalar, _ := main.Reshape(zero)
		zeros, _ := main.BroadcastInDim(zeroScalar, shape, nil)
		cond, _ := main.GreaterThan(x, zeros)
		var w compute.Value
		if side == 1 {
			w, _ = main.Where(cond, zeros, x)
		} else {
			w, _ = main.Where(cond, x, zeros)
		}
		if err := main.Return([]compute.Value{w}, nil); err != nil {
			t.Fatal(err)
		}
		exec, err := builder.Compile()
		if err != nil {
			t.Fatalf("compile: %+v", err)
		}
		wNode := w.(*gobackend.Node)
		if wNode.Inputs[side].OpType == compute.OpTypeBroadcastInDim {
			t.Errorf("side %d: BroadcastInDim of a scalar feeding Where was not fused", side)
		}
		xBuf, _ := backend.BufferFromFlatData(0, []float32{-1, 2, -3, 4, 0, 6}, shape)
		outs, err := exec.Execute([]compute.Buffer{xBuf}, nil, 0)
		if err != nil {
			t.Fatalf("execute: %+v", err)
		}
		got := outs[0].(*gobackend.Buffer).Flat.([]float32)
		want := []float32{0, 2, 0, 4, 0, 6}
		if side == 1 {
			want = []float32{-1, 0, -3, 0, 0, 0}
		}
		if !slices.Equal(got, want) {
			t.Errorf("side %d: got %v, want %v", side, got, want)
		}
	}
}
