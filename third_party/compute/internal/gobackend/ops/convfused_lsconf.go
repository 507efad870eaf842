// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/shapes"
)

// lsconf fork: convolution + bias + ReLU as one op.
//
// convEpilogueFusion, a graph transformation, finds a float32 ConvGeneral
// that the fast path computes, followed by an Add of a per-output-channel
// bias (a tensor of the output's rank, 1 on every axis but the output
// channels) and/or a ReLU written as GoMLX writes it,
// Where(GreaterThan(v, 0), v, 0) (or Max(v, 0)), where the intermediate
// values have no other use. It turns the last node of the chain into a
// ConvGeneral whose convNode carries the epilogue (epiBias with the bias as
// a third input, epiReLU); the nodes it replaces become dead code. The fast
// convolution applies the epilogue while it stores each output tile from
// its small per-worker buffer (still in L1), with the kernel set's
// epilogue function (pure Go, AVX2 or AVX-512), so the output is written
// once instead of three times and read twice less. That is the inference
// graph of a convolution with batch norm folded into its weights and bias.

func init() {
	// After ImplicitBroadcastFusion (100), which turns the broadcast
	// scalars and biases into plain operands.
	gobackend.RegisterTransformation(50, convEpilogueFusion{})
}

// convEpilogue is the epilogue of one fused convolution: bias (one value
// per output channel, or nil) then ReLU when relu.
type convEpilogue struct {
	bias []float32
	relu bool
}

// none reports whether the epilogue does nothing.
func (e convEpilogue) none() bool { return e.bias == nil && !e.relu }

// apply1 is the epilogue of one value of output channel co.
func (e convEpilogue) apply1(v float32, co int) float32 {
	if e.bias != nil {
		v += e.bias[co]
	}
	if e.relu && !(v > 0) {
		v = 0
	}
	return v
}

// applyStrided applies the epilogue in place to out of the given shape,
// whose output-channel axis is chAxis.
func (e convEpilogue) applyStrided(out []float32, shape shapes.Shape, chAxis int) {
	if e.none() {
		return
	}
	stride := shape.Strides()[chAxis]
	nc := shape.Dimensions[chAxis]
	for i, v := range out {
		out[i] = e.apply1(v, (i/stride)%nc)
	}
}

// epilogue returns the node's epilogue (inputs[2] holds the bias).
func (c *convNode) epilogue(inputs []*gobackend.Buffer) convEpilogue {
	ep := convEpilogue{relu: c.epiReLU}
	if c.epiBias {
		ep.bias = inputs[2].Flat.([]float32)
	}
	return ep
}

// storeRow stores the values src of output channels n0.. at output offset
// base through the epilogue.
func (g *convGeom) storeRow(out []float32, base, n0 int, src []float32, kern convKernels, ep convEpilogue) {
	nn := len(src)
	if g.outSC != 1 {
		for n := 0; n < nn; n++ {
			out[base+(n0+n)*g.outSC] = ep.apply1(src[n], n0+n)
		}
		return
	}
	dst := out[base+n0 : base+n0+nn]
	if ep.none() {
		copyShort(dst, src)
		return
	}
	var bias []float32
	if ep.bias != nil {
		bias = ep.bias[n0 : n0+nn]
	}
	kern.epi(dst, src, bias, ep.relu)
}

// storeRows stores rows output pixels from base on (stride outSX), values
// of output channels n0..n0+nn from src (row stride lds), through the
// epilogue: one epiRows call for the run when channels are contiguous
// (without an epilogue too: a vector copy of the rows; the pure-Go set
// copies row by row).
func (g *convGeom) storeRows(out []float32, base, n0 int, src []float32, lds, rows, nn int, kern convKernels, ep convEpilogue) {
	if g.outSC != 1 || (ep.none() && kern.name == convKernelsGo.name) {
		for r := 0; r < rows; r++ {
			g.storeRow(out, base+r*g.outSX, n0, src[r*lds:r*lds+nn], kern, ep)
		}
		return
	}
	var bias []float32
	if ep.bias != nil {
		bias = ep.bias[n0 : n0+nn]
	}
	kern.epiRows(out[base+n0:], g.outSX, src, lds, rows, nn, bias, ep.relu)
}

// convEpiRowsGo is the pure-Go convKernels.epiRows: epi on rows rows of n
// values, dst and src with row strides ldd and lds.
func convEpiRowsGo(dst []float32, ldd int, src []float32, lds, rows, n int, bias []float32, relu bool) {
	for r := 0; r < rows; r++ {
		convEpiGo(dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n], bias, relu)
	}
}

// convEpiGo is the pure-Go epilogue function (convKernels.epi).
func convEpiGo(dst, src, bias []float32, relu bool) {
	n := len(src)
	dst = dst[:n]
	if bias != nil {
		bias = bias[:n]
		for i, v := range src {
			v += bias[i]
			if relu && !(v > 0) {
				v = 0
			}
			dst[i] = v
		}
		return
	}
	for i, v := range src {
		if relu && !(v > 0) {
			v = 0
		}
		dst[i] = v
	}
}

// convEpilogueFusion is the graph transformation (see above).
type convEpilogueFusion struct{}

// Name implements gobackend.GraphTransformation.
func (convEpilogueFusion) Name() string { return "lsconf.ConvEpilogueFusion" }

// Apply implements gobackend.GraphTransformation. Nodes are rewritten in
// place and keep their order, so the DAG order holds. They are visited
// last to first so that a ReLU takes its bias Add and convolution before
// the Add alone could (the nodes a rewrite leaves dead may be rewritten
// too; dead code is never run).
func (convEpilogueFusion) Apply(b *gobackend.Builder) (bool, error) {
	if !convFastEnabled {
		return false, nil
	}
	for _, f := range b.Functions {
		uses := nodeUses(f)
		for i := len(f.Nodes) - 1; i >= 0; i-- {
			fuseConvEpilogue(f.Nodes[i], uses)
		}
		// Then the max pools after them (convpool_lsconf.go).
		uses = nodeUses(f)
		for _, n := range f.Nodes {
			fuseConvPool(n, uses)
		}
	}
	return false, nil
}

// nodeUses counts the uses of each node of f: as an input (once per
// input slot), a captured input, or an output.
func nodeUses(f *gobackend.Function) map[*gobackend.Node]int {
	uses := make(map[*gobackend.Node]int)
	for _, n := range f.Nodes {
		for _, in := range n.Inputs {
			uses[in]++
		}
		for _, cs := range n.CapturedInputs {
			for _, in := range cs {
				uses[in]++
			}
		}
	}
	for _, out := range f.Outputs {
		uses[out]++
	}
	return uses
}

// fuseConvEpilogue rewrites node (a ReLU, or a bias Add) with the chain
// that ends in it when the chain starts with a fusable ConvGeneral.
func fuseConvEpilogue(node *gobackend.Node, uses map[*gobackend.Node]int) {
	if node.Shape.DType != dtypes.Float32 || node.IsNodeSelectOutput || node.MultiOutputsShapes != nil {
		return
	}
	v := node
	relu := false
	if a, gt, ok := reluOperand(node); ok {
		// a feeds the ReLU twice in the Where form (GreaterThan and Where),
		// once in the Max form.
		want := 1
		if gt != nil {
			want = 2
			if uses[gt] != 1 {
				return
			}
		}
		if uses[a] != want {
			return
		}
		v, relu = a, true
	} else if node.OpType != compute.OpTypeAdd {
		return
	}
	conv := v
	var bias *gobackend.Node
	if v.OpType == compute.OpTypeAdd { // (its uses are checked above)
		x, y := v.Inputs[0], v.Inputs[1]
		if isFusableConv(y) && !isFusableConv(x) {
			x, y = y, x
		}
		if !isFusableConv(x) || !isChannelBias(y, x) {
			return
		}
		if uses[x] != 1 {
			return
		}
		conv, bias = x, y
	}
	if !isFusableConv(conv) || (bias == nil && !relu) {
		return
	}
	params := *conv.Data.(*convNode)
	params.epiBias, params.epiReLU = bias != nil, relu
	inputs := []*gobackend.Node{conv.Inputs[0], conv.Inputs[1]}
	if bias != nil {
		inputs = append(inputs, bias)
	}
	node.OpType = compute.OpTypeConvGeneral
	node.Inputs = inputs
	node.Data = &params
}

// reluOperand returns a when node is Where(GreaterThan(a, 0), a, 0) (gt is
// the GreaterThan) or Max(a, 0) / Max(0, a) (gt nil).
func reluOperand(node *gobackend.Node) (a, gt *gobackend.Node, ok bool) {
	switch node.OpType {
	case compute.OpTypeWhere:
		cond, onTrue, onFalse := node.Inputs[0], node.Inputs[1], node.Inputs[2]
		if cond.OpType != compute.OpTypeGreaterThan || !isZeroScalar(onFalse) ||
			cond.Inputs[0] != onTrue || !isZeroScalar(cond.Inputs[1]) || !onTrue.Shape.Equal(node.Shape) {
			return nil, nil, false
		}
		return onTrue, cond, true
	case compute.OpTypeMax:
		x, y := node.Inputs[0], node.Inputs[1]
		if isZeroScalar(x) {
			x, y = y, x
		}
		if !isZeroScalar(y) || !x.Shape.Equal(node.Shape) {
			return nil, nil, false
		}
		return x, nil, true
	}
	return nil, nil, false
}

// isZeroScalar reports whether n is a float32 constant 0 (any size-1
// shape), possibly reshaped and broadcast.
func isZeroScalar(n *gobackend.Node) bool {
	for n.OpType == compute.OpTypeBroadcastInDim || (n.OpType == compute.OpTypeReshape && n.Shape.Size() == 1) {
		n = n.Inputs[0]
	}
	if n.OpType != compute.OpTypeConstant || n.Shape.DType != dtypes.Float32 || n.Shape.Size() != 1 {
		return false
	}
	buf, ok := n.Data.(*gobackend.Buffer)
	if !ok {
		return false
	}
	flat, ok := buf.Flat.([]float32)
	return ok && len(flat) == 1 && flat[0] == 0
}

// isFusableConv reports whether n is a ConvGeneral without an epilogue
// that the fast path computes.
func isFusableConv(n *gobackend.Node) bool {
	if n.OpType != compute.OpTypeConvGeneral || len(n.Inputs) != 2 {
		return false
	}
	params, ok := n.Data.(*convNode)
	if !ok || params.epiBias || params.epiReLU || params.pool != nil {
		return false
	}
	_, ok = newConvGeom(params, n.Inputs[0].Shape, n.Inputs[1].Shape, n.Shape)
	return ok
}

// isChannelBias reports whether b is a float32 tensor of conv's rank that
// is 1 on every axis but conv's output channels, where it has their
// number (so its flat values are one per output channel).
func isChannelBias(b, conv *gobackend.Node) bool {
	ch := conv.Data.(*convNode).axes.OutputChannels
	s := b.Shape
	if s.DType != dtypes.Float32 || s.Rank() != conv.Shape.Rank() || s.IsDynamic() {
		return false
	}
	for i, d := range s.Dimensions {
		want := 1
		if i == ch {
			want = conv.Shape.Dimensions[ch]
		}
		if d != want {
			return false
		}
	}
	return true
}
