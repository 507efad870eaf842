// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// lsconf fork: fast float32 paths of ReduceWindow (max) and
// SelectAndScatterMax, the forward and gradient of a max pool, for windows
// without padding or dilations that leave the last (contiguous, e.g.
// channels) axis alone. Upstream's executors iterate the window of each
// output value with per-element index arithmetic; here each window
// position is a contiguous run of the last axis. Same results, bit for bit
// (tested against upstream's executors in poolfast_test.go): the max
// starts at the lowest float32 and uses Go's max (NaN wins); the selected
// element is the first maximum of the window in row-major order, or the
// last NaN.

// poolWindow is a pooling window over all axes but the last.
type poolWindow struct {
	outer   []int // output (or source) dimensions but the last
	chans   int   // size of the last axis
	offsets []int // flat operand offsets of the window's positions, row-major
	starts  []int // per outer axis: operand flat stride times window stride
}

// newPoolWindow returns the window of an operand shape and output shape,
// and false when the fast path does not apply.
func newPoolWindow(operand, output shapes.Shape, window, strides []int, paddings [][2]int, dilations ...[]int) (pw poolWindow, ok bool) {
	rank := operand.Rank()
	if operand.DType != dtypes.Float32 || rank < 2 || operand.IsDynamic() || output.IsDynamic() || output.Rank() != rank {
		return pw, false
	}
	last := rank - 1
	if len(window) != rank || window[last] != 1 || operand.Dimensions[last] != output.Dimensions[last] {
		return pw, false
	}
	if strides == nil {
		strides = window
	}
	if len(strides) != rank || strides[last] != 1 {
		return pw, false
	}
	for _, p := range paddings {
		if p != [2]int{} {
			return pw, false
		}
	}
	for _, d := range dilations {
		for _, x := range d {
			if x != 1 {
				return pw, false
			}
		}
	}
	opStrides := operand.Strides()
	pw.chans = operand.Dimensions[last]
	pw.outer = output.Dimensions[:last]
	pw.starts = make([]int, last)
	for a := 0; a < last; a++ {
		pw.starts[a] = strides[a] * opStrides[a]
		// The last window of the axis must fit.
		if (output.Dimensions[a]-1)*strides[a]+window[a] > operand.Dimensions[a] {
			return pw, false
		}
	}
	pw.offsets = []int{0}
	for a := 0; a < last; a++ {
		var next []int
		for _, o := range pw.offsets {
			for w := 0; w < window[a]; w++ {
				next = append(next, o+w*opStrides[a])
			}
		}
		pw.offsets = next
	}
	return pw, true
}

// rows is the number of outer positions.
func (pw *poolWindow) rows() int {
	n := 1
	for _, d := range pw.outer {
		n *= d
	}
	return n
}

// forRows calls fn(row, start) for the outer positions [r0, r1), start
// being the operand flat offset of the row's window.
func (pw *poolWindow) forRows(r0, r1 int, fn func(row, start int)) {
	idx := make([]int, len(pw.outer))
	rem := r0
	for a := len(pw.outer) - 1; a >= 0; a-- {
		idx[a] = rem % pw.outer[a]
		rem /= pw.outer[a]
	}
	for r := r0; r < r1; r++ {
		start := 0
		for a, i := range idx {
			start += i * pw.starts[a]
		}
		fn(r, start)
		for a := len(idx) - 1; a >= 0; a-- {
			idx[a]++
			if idx[a] < pw.outer[a] {
				break
			}
			idx[a] = 0
		}
	}
}

// poolChunks splits rows for the workers.
func poolChunks(rows, chans, workers int) int {
	if rows*chans < 1<<14 {
		return 1
	}
	return min(rows, 8*workers)
}

// reduceWindowMaxFast computes the max pool into output; it reports false
// (and does nothing) when the fast path does not apply.
func reduceWindowMaxFast(backend *gobackend.Backend, op *reduceWindowNode, operand, output *gobackend.Buffer) bool {
	if op.reductionType != compute.ReduceOpMax {
		return false
	}
	pw, ok := newPoolWindow(operand.RawShape, output.RawShape, op.windowDimensions, op.strides, op.paddings, op.inputDilations, op.windowDilations)
	if !ok {
		return false
	}
	in := operand.Flat.([]float32)
	out := output.Flat.([]float32)
	rows, c := pw.rows(), pw.chans
	// lsconf fork: the kernel set's row function (SIMD on amd64).
	poolMax := convKernelsBest.poolMax
	workers := forkWorkers(backend)
	chunks := poolChunks(rows, c, workers)
	forkParallel(backend, workers, chunks, func(_, ch int) {
		pw.forRows(ch*rows/chunks, (ch+1)*rows/chunks, func(row, start int) {
			poolMax(out[row*c:(row+1)*c], in, start, pw.offsets)
		})
	})
	return true
}

// poolMaxGo is convKernels.poolMax in Go: the max starts at the lowest
// float32 (max(lowest, v) is v, bit for bit).
func poolMaxGo(o, in []float32, start int, offsets []int) {
	c := len(o)
	lowest := float32(dtypes.Float32.LowestValue().(float32))
	for i := range o {
		o[i] = lowest
	}
	for _, off := range offsets {
		src := in[start+off : start+off+c]
		for i, v := range src {
			o[i] = max(o[i], v)
		}
	}
}

// selectAndScatterMaxFast scatters source into output (already zeroed) at
// each window's selected maximum; it reports false (and does nothing)
// when the fast path does not apply.
func selectAndScatterMaxFast(backend *gobackend.Backend, op *selectAndScatterNode, operand, source, output *gobackend.Buffer) bool {
	if op.isMin {
		return false
	}
	pw, ok := newPoolWindow(operand.RawShape, source.RawShape, op.windowDimensions, op.strides, op.paddings)
	if !ok || len(pw.offsets) == 0 {
		return false
	}
	// Overlapping windows would make workers add to the same outputs.
	strides := op.strides
	if strides == nil {
		strides = op.windowDimensions
	}
	overlap := false
	for a, w := range op.windowDimensions {
		if strides[a] < w {
			overlap = true
		}
	}
	in := operand.Flat.([]float32)
	src := source.Flat.([]float32)
	out := output.Flat.([]float32)
	rows, c := pw.rows(), pw.chans
	workers := forkWorkers(backend)
	chunks := poolChunks(rows, c, workers)
	if overlap {
		chunks = 1
	}
	// lsconf fork: the kernel set's row function (SIMD on amd64) takes the
	// first channels, the loop below the rest.
	scatter := convKernelsBest.poolScatter
	if len(in) > 1<<31-1 {
		scatter = nil // its offsets are int32
	}
	forkParallel(backend, workers, chunks, func(_, ch int) {
		best := make([]float32, c)
		bestOff := make([]int, c)
		pw.forRows(ch*rows/chunks, (ch+1)*rows/chunks, func(row, start int) {
			s := src[row*c : (row+1)*c]
			i0 := 0
			if scatter != nil {
				i0 = scatter(out, in, s, start, pw.offsets)
			}
			first := in[start+i0 : start+c]
			copy(best[i0:], first)
			for i := i0; i < c; i++ {
				bestOff[i] = start
			}
			for _, off := range pw.offsets[1:] {
				vals := in[start+off+i0 : start+off+c]
				for j, v := range vals {
					i := i0 + j
					if v > best[i] || v != v {
						best[i] = v
						bestOff[i] = start + off
					}
				}
			}
			for i := i0; i < c; i++ {
				out[bestOff[i]+i] += s[i]
			}
		})
	})
	return true
}
