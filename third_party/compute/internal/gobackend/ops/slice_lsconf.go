// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import "github.com/gomlx/compute/internal/gobackend"

// lsconf fork: a float32 Slice whose trailing axes are taken with stride 1
// copies contiguous runs of the operand, one copy per run, instead of one
// value at a time with index arithmetic (execSliceGeneric). GoMLX's
// gradient of Concatenate is such slices (lsconf's nearest-neighbour
// upsampling concatenates, so its gradient slices every decoder level's
// output gradient).

// sliceRunMin is the shortest run the fast path takes.
const sliceRunMin = 8

// sliceRunsF32 copies the slice of operand into output when it is float32
// and its runs are at least sliceRunMin long, and reports whether it did.
func sliceRunsF32(operand, output *gobackend.Buffer, params *sliceNode) bool {
	in, ok := operand.Flat.([]float32)
	if !ok {
		return false
	}
	out, ok := output.Flat.([]float32)
	if !ok {
		return false
	}
	rank := operand.RawShape.Rank()
	if rank == 0 || params.strides[rank-1] != 1 || operand.RawShape.IsDynamic() || output.RawShape.IsDynamic() {
		return false
	}
	inDims, outDims := operand.RawShape.Dimensions, output.RawShape.Dimensions
	inStrides := operand.RawShape.Strides()
	// Axes [a, rank) are one contiguous run: each axis after a is whole
	// and taken with stride 1, as is a itself (maybe in part).
	a, run := rank-1, outDims[rank-1]
	for a > 0 && outDims[a] == inDims[a] && params.strides[a-1] == 1 {
		a--
		run *= outDims[a]
	}
	if run < sliceRunMin {
		return false
	}
	off := 0
	for axis, start := range params.starts {
		off += start * inStrides[axis]
	}
	idx := make([]int, a)
	for r := 0; r*run < len(out); r++ {
		copy(out[r*run:(r+1)*run], in[off:off+run])
		for ax := a - 1; ax >= 0; ax-- {
			idx[ax]++
			if idx[ax] < outDims[ax] {
				off += params.strides[ax] * inStrides[ax]
				break
			}
			off -= (outDims[ax] - 1) * params.strides[ax] * inStrides[ax]
			idx[ax] = 0
		}
	}
	return true
}
