// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// TestSliceRunsF32 checks the run-copying Slice against upstream's
// execSliceGeneric over random shapes, starts, limits and strides, and
// that it declines what it does not handle (short runs, a strided last
// axis).
func TestSliceRunsF32(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	backend := newConvTestBackend(t, 1)
	defer backend.Finalize()
	took := 0
	for i := 0; i < 400; i++ {
		rank := 1 + rng.IntN(4)
		dims := make([]int, rank)
		p := &sliceNode{starts: make([]int, rank), limits: make([]int, rank), strides: make([]int, rank)}
		outDims := make([]int, rank)
		for a := range dims {
			dims[a] = 1 + rng.IntN(12)
			if rng.IntN(3) == 0 { // whole axis
				p.starts[a], p.limits[a], p.strides[a] = 0, dims[a], 1
			} else {
				p.starts[a] = rng.IntN(dims[a])
				p.limits[a] = p.starts[a] + 1 + rng.IntN(dims[a]-p.starts[a])
				p.strides[a] = 1 + rng.IntN(2)
			}
			outDims[a] = (p.limits[a] - p.starts[a] + p.strides[a] - 1) / p.strides[a]
		}
		inShape := shapes.Make(dtypes.Float32, dims...)
		outShape := shapes.Make(dtypes.Float32, outDims...)
		vals := make([]float32, inShape.Size())
		for j := range vals {
			vals[j] = float32(j) + 0.5
		}
		inBuf, err := backend.BufferFromFlatData(0, vals, inShape)
		if err != nil {
			t.Fatal(err)
		}
		want, err := backend.GetBuffer(outShape)
		if err != nil {
			t.Fatal(err)
		}
		got, err := backend.GetBuffer(outShape)
		if err != nil {
			t.Fatal(err)
		}
		execSliceGeneric[float32](inBuf.(*gobackend.Buffer), want, p)
		for j := range got.Flat.([]float32) {
			got.Flat.([]float32)[j] = -1
		}
		if sliceRunsF32(inBuf.(*gobackend.Buffer), got, p) {
			took++
			if !slices.Equal(got.Flat.([]float32), want.Flat.([]float32)) {
				t.Fatalf("slice of %v, starts %v limits %v strides %v: got %v, want %v", dims, p.starts, p.limits, p.strides, got.Flat, want.Flat)
			}
		} else if p.strides[rank-1] == 1 && outShape.Size() >= sliceRunMin && outDims[rank-1] >= sliceRunMin {
			t.Fatalf("slice of %v, starts %v limits %v strides %v: declined with a run of %d", dims, p.starts, p.limits, p.strides, outDims[rank-1])
		}
		backend.PutBuffer(want)
		backend.PutBuffer(got)
	}
	if took < 50 {
		t.Errorf("only %d of 400 slices took the fast path", took)
	}
	t.Logf("%d of 400 random slices took the run-copying path", took)
}
