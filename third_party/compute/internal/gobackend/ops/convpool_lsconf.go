// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"fmt"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// lsconf fork: a max pool fused into the convolution before it.
//
// convPoolFusion, a graph transformation run after convEpilogueFusion (in
// the same Apply), finds a float32 max ReduceWindow (no padding or
// dilation, window 1 on the batch and channel axes) whose operand is a
// ConvGeneral that the direct arrangement computes (NHWC, stride 1, few
// input channels; with or without an epilogue) and has no other use. It
// turns the ReduceWindow node into a ConvGeneral that carries the pool
// (convNode.pool, with the unpooled shape in convNode.convShape). The
// direct convolution then takes whole images as work items
// (convFastDirectImagesPool): each worker stores an image's output (after
// bias and ReLU) in its own buffer, still in cache, and pools it from
// there, so the full-resolution output is never written to memory and the
// pool is not a separate op (one fan-out and one join fewer per layer).
// The pool's row function is the kernel set's poolMax, the max pool's
// (poolfast.go), so the values are the unfused graph's bit for bit.

// convPoolPlan is a fused pool's work on one image.
type convPoolPlan struct {
	pw       poolWindow // over one image ([1, H, W, C] -> [1, H', W', C])
	outImage int        // values of one pooled image
}

// image pools one image's convolution output y into dst.
func (p *convPoolPlan) image(dst, y []float32, kern convKernels) {
	c := p.pw.chans
	p.pw.forRows(0, p.pw.rows(), func(row, start int) {
		kern.poolMax(dst[row*c:(row+1)*c], y, start, p.pw.offsets)
	})
}

// convPoolPlanFor returns the plan of a fused pool, and false when the
// fused fast path cannot compute it: the convolution must be one the
// direct arrangement computes with a contiguous NHWC output (batch axis
// first, channels last) and the pool must leave the batch and channel
// axes alone.
func convPoolPlanFor(params *convNode, pool *reduceWindowNode, inShape, kShape, convShape, outShape shapes.Shape) (g convGeom, plan convPoolPlan, ok bool) {
	if pool == nil || pool.reductionType != compute.ReduceOpMax || !convFastEnabled {
		return g, plan, false
	}
	g, ok = newConvGeom(params, inShape, kShape, convShape)
	if !ok || g.choosePath() != convPathDirect {
		return g, plan, false
	}
	rank := convShape.Rank()
	if rank != 4 || params.axes.OutputBatch != 0 || params.axes.OutputChannels != rank-1 ||
		g.outSC != 1 || g.outSB != g.outH*g.outW*g.outC || g.inH*g.inW*g.inC == 0 {
		return g, plan, false
	}
	one := func(s shapes.Shape) shapes.Shape {
		d := append([]int(nil), s.Dimensions...)
		d[0] = 1
		return shapes.Make(s.DType, d...)
	}
	if outShape.Rank() != rank || outShape.Dimensions[0] != g.batch {
		return g, plan, false
	}
	pw, ok := newPoolWindow(one(convShape), one(outShape), pool.windowDimensions, pool.strides, pool.paddings, pool.inputDilations, pool.windowDilations)
	if !ok || len(pw.offsets) == 0 {
		return g, plan, false
	}
	return g, convPoolPlan{pw: pw, outImage: outShape.Size() / g.batch}, true
}

// execConvPooled executes a ConvGeneral node that carries a fused pool.
func execConvPooled(backend *gobackend.Backend, node *gobackend.Node, inputs []*gobackend.Buffer) (*gobackend.Buffer, error) {
	params := node.Data.(*convNode)
	ep := params.epilogue(inputs)
	if g, plan, ok := convPoolPlanFor(params, params.pool, inputs[0].RawShape, inputs[1].RawShape, params.convShape, node.Shape); ok {
		output, err := backend.GetBuffer(node.Shape)
		if err != nil {
			return nil, err
		}
		convFastDirectImagesPool(backend, &g, inputs[0].Flat.([]float32), inputs[1].Flat.([]float32), output.Flat.([]float32), convKernelsBest, ep, &plan)
		return output, nil
	}
	// Otherwise the convolution (with its epilogue), then the pool.
	plain := *params
	plain.pool, plain.convShape = nil, shapes.Shape{}
	convNodeOnly := &gobackend.Node{OpType: compute.OpTypeConvGeneral, Shape: params.convShape, Data: &plain, Inputs: node.Inputs}
	conv, err := execConvGeneral(backend, convNodeOnly, inputs, nil)
	if err != nil {
		return nil, err
	}
	defer backend.PutBuffer(conv)
	poolNode := &gobackend.Node{OpType: compute.OpTypeReduceWindow, Shape: node.Shape, Data: params.pool, Inputs: []*gobackend.Node{convNodeOnly}}
	out, err := execReduceWindow(backend, poolNode, []*gobackend.Buffer{conv}, []bool{false})
	if err != nil {
		return nil, fmt.Errorf("fused convolution's max pool: %w", err)
	}
	return out, nil
}

// fuseConvPool rewrites node, a max ReduceWindow, into a ConvGeneral
// carrying the pool when its operand is a convolution the fused path
// computes and has no other use.
func fuseConvPool(node *gobackend.Node, uses map[*gobackend.Node]int) {
	if node.OpType != compute.OpTypeReduceWindow || node.Shape.DType != dtypes.Float32 || node.IsNodeSelectOutput || node.MultiOutputsShapes != nil {
		return
	}
	pool, ok := node.Data.(*reduceWindowNode)
	if !ok || len(node.Inputs) != 1 {
		return
	}
	conv := node.Inputs[0]
	if conv.OpType != compute.OpTypeConvGeneral || uses[conv] != 1 || conv.IsNodeSelectOutput || conv.MultiOutputsShapes != nil {
		return
	}
	params, ok := conv.Data.(*convNode)
	if !ok || params.pool != nil || len(conv.Inputs) < 2 {
		return
	}
	if _, _, ok := convPoolPlanFor(params, pool, conv.Inputs[0].Shape, conv.Inputs[1].Shape, conv.Shape, node.Shape); !ok {
		return
	}
	fused := *params
	fused.pool, fused.convShape = pool, conv.Shape
	node.OpType = compute.OpTypeConvGeneral
	node.Inputs = append([]*gobackend.Node(nil), conv.Inputs...)
	node.Data = &fused
}
