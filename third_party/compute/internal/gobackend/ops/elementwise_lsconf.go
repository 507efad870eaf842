// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"math"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// lsconf fork: large float32 elementwise ops (Add, Sub, Mul, Div, Max, Min,
// GreaterThan with equal shapes or a scalar side, and Sqrt) split over the
// backend's workers. Upstream runs each on one goroutine; in a train step
// they form long serial chains (the optimizer's update of every parameter,
// activations and their gradients) that leave the other cores idle. The
// per-element code is upstream's (same results bit for bit, tested in
// elementwise_lsconf_test.go); other dtypes, broadcasts and small tensors
// take upstream's executors.

func init() {
	for _, op := range []compute.OpType{compute.OpTypeAdd, compute.OpTypeSub, compute.OpTypeMul,
		compute.OpTypeDiv, compute.OpTypeMax, compute.OpTypeMin} {
		gobackend.SetNodeExecutor(op, gobackend.PriorityTyped, parallelBinaryExecutor(op))
	}
	gobackend.SetNodeExecutor(compute.OpTypeGreaterThan, gobackend.PriorityTyped, execGreaterThanParallel)
	gobackend.SetNodeExecutor(compute.OpTypeSqrt, gobackend.PriorityTyped, execSqrtParallel)
	gobackend.SetNodeExecutor(compute.OpTypeLogistic, gobackend.PriorityTyped, execLogisticParallel)
}

// elementwiseParallelMin is the size from which an elementwise op is split.
const elementwiseParallelMin = 1 << 16

// elementwiseChunk is the number of elements per work item.
const elementwiseChunk = 1 << 15

// upstreamBinary are upstream's executors, the fallback of
// parallelBinaryExecutor.
var upstreamBinary = map[compute.OpType]gobackend.NodeExecutor{
	compute.OpTypeAdd: execAdd, compute.OpTypeSub: execSub, compute.OpTypeMul: execMul,
	compute.OpTypeDiv: execDiv, compute.OpTypeMax: execMax, compute.OpTypeMin: execMin,
}

// forChunks runs fn(lo, hi) over [0, n) in chunks on the workers.
func forChunks(backend *gobackend.Backend, n int, fn func(lo, hi int)) {
	chunks := (n + elementwiseChunk - 1) / elementwiseChunk
	forkParallel(backend, forkWorkers(backend), chunks, func(_, c int) {
		fn(c*elementwiseChunk, min(n, (c+1)*elementwiseChunk))
	})
}

// binaryF32Applies reports whether a float32 binary op of these operands
// takes the parallel path: equal shapes or a scalar side, large output.
func binaryF32Applies(backend *gobackend.Backend, lhs, rhs *gobackend.Buffer, n int) bool {
	if lhs.RawShape.DType != dtypes.Float32 || n < elementwiseParallelMin || forkWorkers(backend) < 2 {
		return false
	}
	ln, rn := lhs.RawShape.Size(), rhs.RawShape.Size()
	return (ln == n && rn == n && lhs.RawShape.Equal(rhs.RawShape)) || (ln == n && rn == 1) || (ln == 1 && rn == n)
}

func parallelBinaryExecutor(op compute.OpType) gobackend.NodeExecutor {
	upstream := upstreamBinary[op]
	return func(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, inputsOwned []bool) (*gobackend.Buffer, error) {
		n := node.Shape.Size()
		if !node.Shape.IsDynamic() && !binaryF32Applies(backend, inputs[0], inputs[1], n) {
			if out, ok, err := binaryF32Broadcast(backend, op, inputs[0], inputs[1], node.Shape); ok {
				return out, err
			}
		}
		if node.Shape.IsDynamic() || !binaryF32Applies(backend, inputs[0], inputs[1], n) {
			return upstream(backend, node, inputs, inputsOwned)
		}
		lhs, rhs, output, _, _ := binaryOperandsAndOutputForExecution(backend, node, inputs, inputsOwned, node.Shape)
		a, b, out := lhs.Flat.([]float32), rhs.Flat.([]float32), output.Flat.([]float32)
		forChunks(backend, n, func(lo, hi int) {
			ca, cb := a, b
			if len(ca) != 1 {
				ca = ca[lo:hi]
			}
			if len(cb) != 1 {
				cb = cb[lo:hi]
			}
			binaryF32(op, ca, cb, out[lo:hi])
		})
		return output, nil
	}
}

// binaryF32BroadcastRowMin is the shortest output row (last axis) that
// binaryF32Broadcast takes.
const binaryF32BroadcastRowMin = 8

// binaryF32Broadcast computes a float32 binary op whose operands broadcast
// (the output's rank, each axis of the output's size or 1, at least one
// operand not the output's shape) row by row: for each output row (all
// axes but the last) the operands' rows are found by strides (0 on
// broadcast axes) and binaryF32 runs on them, a row or a single value
// each. Upstream walks a broadcast iterator per value. The same operation
// per value, so the same values; rows split over the workers for large
// outputs. ok is false (and nothing done) when it does not apply.
func binaryF32Broadcast(backend *gobackend.Backend, op compute.OpType, lhs, rhs *gobackend.Buffer, outShape shapes.Shape) (out *gobackend.Buffer, ok bool, err error) {
	rank := outShape.Rank()
	if outShape.DType != dtypes.Float32 || lhs.RawShape.DType != dtypes.Float32 || rhs.RawShape.DType != dtypes.Float32 ||
		rank == 0 || lhs.RawShape.Rank() != rank || rhs.RawShape.Rank() != rank || lhs.RawShape.IsDynamic() || rhs.RawShape.IsDynamic() {
		return nil, false, nil
	}
	last := rank - 1
	rowLen := outShape.Dimensions[last]
	if rowLen < binaryF32BroadcastRowMin {
		return nil, false, nil
	}
	ls, rs := lhs.RawShape.Strides(), rhs.RawShape.Strides()
	for a, d := range outShape.Dimensions {
		ld, rd := lhs.RawShape.Dimensions[a], rhs.RawShape.Dimensions[a]
		if (ld != d && ld != 1) || (rd != d && rd != 1) {
			return nil, false, nil
		}
		if ld != d {
			ls[a] = 0
		}
		if rd != d {
			rs[a] = 0
		}
	}
	out, err = backend.GetBuffer(outShape)
	if err != nil {
		return nil, true, err
	}
	a, b, o := lhs.Flat.([]float32), rhs.Flat.([]float32), out.Flat.([]float32)
	aRow, bRow := rowLen, rowLen
	if ls[last] == 0 {
		aRow = 1
	}
	if rs[last] == 0 {
		bRow = 1
	}
	n := outShape.Size()
	rows := n / rowLen
	outer := outShape.Dimensions[:last]
	runRows := func(r0, r1 int) {
		idx := make([]int, last)
		rem := r0
		for ax := last - 1; ax >= 0; ax-- {
			idx[ax] = rem % outer[ax]
			rem /= outer[ax]
		}
		for r := r0; r < r1; r++ {
			ao, bo := 0, 0
			for ax, i := range idx {
				ao += i * ls[ax]
				bo += i * rs[ax]
			}
			binaryF32(op, a[ao:ao+aRow], b[bo:bo+bRow], o[r*rowLen:(r+1)*rowLen])
			for ax := last - 1; ax >= 0; ax-- {
				idx[ax]++
				if idx[ax] < outer[ax] {
					break
				}
				idx[ax] = 0
			}
		}
	}
	workers := forkWorkers(backend)
	if n < elementwiseParallelMin || workers < 2 {
		runRows(0, rows)
		return out, true, nil
	}
	chunks := min(rows, (n+elementwiseChunk-1)/elementwiseChunk)
	forkParallel(backend, workers, chunks, func(_, c int) {
		runRows(c*rows/chunks, (c+1)*rows/chunks)
	})
	return out, true, nil
}

// binaryF32 writes o[i] = a[i] op b[i], a or b possibly a scalar.
func binaryF32(op compute.OpType, a, b, o []float32) {
	switch op { //nolint:exhaustive
	case compute.OpTypeAdd:
		switch {
		case len(a) == 1:
			x := a[0]
			for i, y := range b {
				o[i] = x + y
			}
		case len(b) == 1:
			y := b[0]
			for i, x := range a {
				o[i] = x + y
			}
		default:
			b = b[:len(a)]
			for i, x := range a {
				y := b[i]
				o[i] = x + y
			}
		}
	case compute.OpTypeSub:
		switch {
		case len(a) == 1:
			x := a[0]
			for i, y := range b {
				o[i] = x - y
			}
		case len(b) == 1:
			y := b[0]
			for i, x := range a {
				o[i] = x - y
			}
		default:
			b = b[:len(a)]
			for i, x := range a {
				y := b[i]
				o[i] = x - y
			}
		}
	case compute.OpTypeMul:
		switch {
		case len(a) == 1:
			x := a[0]
			for i, y := range b {
				o[i] = x * y
			}
		case len(b) == 1:
			y := b[0]
			for i, x := range a {
				o[i] = x * y
			}
		default:
			b = b[:len(a)]
			for i, x := range a {
				y := b[i]
				o[i] = x * y
			}
		}
	case compute.OpTypeDiv:
		switch {
		case len(a) == 1:
			x := a[0]
			for i, y := range b {
				o[i] = x / y
			}
		case len(b) == 1:
			y := b[0]
			for i, x := range a {
				o[i] = x / y
			}
		default:
			b = b[:len(a)]
			for i, x := range a {
				y := b[i]
				o[i] = x / y
			}
		}
	case compute.OpTypeMax:
		switch {
		case len(a) == 1:
			x := a[0]
			for i, y := range b {
				o[i] = max(x, y)
			}
		case len(b) == 1:
			y := b[0]
			for i, x := range a {
				o[i] = max(x, y)
			}
		default:
			b = b[:len(a)]
			for i, x := range a {
				y := b[i]
				o[i] = max(x, y)
			}
		}
	case compute.OpTypeMin:
		switch {
		case len(a) == 1:
			x := a[0]
			for i, y := range b {
				o[i] = min(x, y)
			}
		case len(b) == 1:
			y := b[0]
			for i, x := range a {
				o[i] = min(x, y)
			}
		default:
			b = b[:len(a)]
			for i, x := range a {
				y := b[i]
				o[i] = min(x, y)
			}
		}
	}
}

func execGreaterThanParallel(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, inputsOwned []bool) (*gobackend.Buffer, error) {
	n := node.Shape.Size()
	if node.Shape.IsDynamic() || !binaryF32Applies(backend, inputs[0], inputs[1], n) {
		return execGreaterThan(backend, node, inputs, inputsOwned)
	}
	output, err := backend.GetBuffer(node.Shape)
	if err != nil {
		return nil, err
	}
	a, b, out := inputs[0].Flat.([]float32), inputs[1].Flat.([]float32), output.Flat.([]bool)
	forChunks(backend, n, func(lo, hi int) {
		o := out[lo:hi]
		switch {
		case len(a) == 1:
			c := a[0]
			for i, v := range b[lo:hi] {
				o[i] = c > v
			}
		case len(b) == 1:
			c := b[0]
			for i, v := range a[lo:hi] {
				o[i] = v > c
			}
		default:
			bb := b[lo:hi]
			for i, v := range a[lo:hi] {
				o[i] = v > bb[i]
			}
		}
	})
	return output, nil
}

func execSqrtParallel(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, inputsOwned []bool) (*gobackend.Buffer, error) {
	n := node.Shape.Size()
	if inputs[0].RawShape.DType != dtypes.Float32 || n < elementwiseParallelMin || forkWorkers(backend) < 2 {
		return execSqrt(backend, node, inputs, inputsOwned)
	}
	input, output, err := unaryOperandAndOutput(backend, inputs, inputsOwned)
	if err != nil {
		return nil, err
	}
	in, out := input.Flat.([]float32), output.Flat.([]float32)
	forChunks(backend, n, func(lo, hi int) {
		o := out[lo:hi]
		for i, v := range in[lo:hi] {
			o[i] = float32(math.Sqrt(float64(v)))
		}
	})
	return output, nil
}

// execLogisticParallel is upstream's float32 Logistic split over the
// workers, with the kernel set's vector logistic (within a few ulps of
// upstream's float64 math.Exp form) where it has one, else upstream's loop
// (execLogisticGeneric, the same values).
func execLogisticParallel(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer, inputsOwned []bool) (*gobackend.Buffer, error) {
	n := node.Shape.Size()
	logistic := convKernelsBest.logistic
	if inputs[0].RawShape.DType != dtypes.Float32 || (logistic == nil && (n < elementwiseParallelMin || forkWorkers(backend) < 2)) {
		return execLogistic(backend, node, inputs, inputsOwned)
	}
	if logistic == nil {
		logistic = func(dst, src []float32) { execLogisticGeneric(src, dst) }
	}
	input, output, err := unaryOperandAndOutput(backend, inputs, inputsOwned)
	if err != nil {
		return nil, err
	}
	in, out := input.Flat.([]float32), output.Flat.([]float32)
	if n < elementwiseParallelMin {
		logistic(out, in)
		return output, nil
	}
	forChunks(backend, n, func(lo, hi int) {
		logistic(out[lo:hi], in[lo:hi])
	})
	return output, nil
}
