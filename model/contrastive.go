package model

import (
	"fmt"
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// The contrastive head: instance discrimination as an auxiliary loss
// (SimCLR, Chen et al. 2020; its use for open-set detection: CSI, Tack et
// al. 2020, and deep k-NN, Sun et al. 2022). A projection (one hidden
// layer of ContrastiveHidden ReLU units, then ContrastiveDim outputs,
// L2-normalised) maps the encoder's flattened features (Outputs.Features)
// to the unit sphere; NT-Xent (ContrastiveLoss) pulls each image's two
// views together and pushes it away from every other image of the batch.
// The class losses and L_G keep only what separates the known classes;
// this term asks the features to keep what tells one image from another,
// which an unknown class may need. At inference the projections of the
// known training images are the bank of a k-NN open-set score.
//
// View 1 is the batch as the data pipeline gives it; view 2 is
// ContrastiveView, an in-graph augmentation deterministic per example
// index (like RotatedImages: the batches are shuffled, so every image
// meets every augmentation over the epochs).

// ContrastiveHidden and ContrastiveDim are the projection's hidden units
// and output dimensions.
const (
	ContrastiveHidden = 128
	ContrastiveDim    = 64
)

// DefaultContrastiveTemp is NT-Xent's temperature when none is given:
// 0.5, the value SimCLR and CSI train CIFAR-10 with, fixed before any
// measurement and not tuned (lsconf trains a few epochs on batches of
// 64).
const DefaultContrastiveTemp = 0.5

// ContrastiveShift is the largest shift, in pixels along each axis, of
// ContrastiveView.
const ContrastiveShift = 3

// ViewParams is ContrastiveView's change of the image at batch index j:
// mirrored left-right (odd j), then moved by DY rows down and DX columns
// right (zeros come in), then its pixels p mapped to Contrast * (p - m)
// + m + Brightness, m the image's mean, and clipped to [0, 1].
type ViewParams struct {
	DY, DX               int
	Mirror               bool
	Contrast, Brightness float64
}

// ContrastiveViewParams returns ViewParams of batch index j: DY is
// j mod 7 - 3, DX is (3j + 2) mod 7 - 3 (so consecutive images move in
// different directions), Mirror is j odd, Contrast is 0.7 + 0.1 * (j mod
// 7) in [0.7, 1.3] and Brightness 0.05 * ((5j) mod 9 - 4) in [-0.2, 0.2].
func ContrastiveViewParams(j int) ViewParams {
	const k = 2*ContrastiveShift + 1
	return ViewParams{
		DY:         j%k - ContrastiveShift,
		DX:         (3*j+2)%k - ContrastiveShift,
		Mirror:     j%2 == 1,
		Contrast:   0.7 + 0.1*float64(j%7),
		Brightness: 0.05 * float64((5*j)%9-4),
	}
}

// contrastiveSpecs lists the projection's tensors: the hidden kernel
// [Flat, ContrastiveHidden] and bias, the output kernel
// [ContrastiveHidden, ContrastiveDim] and bias.
func contrastiveSpecs(c Config) []ParamSpec {
	in, h := c.Flat(), ContrastiveHidden
	return []ParamSpec{
		{Name: "con.hidden.kernel", Shape: []int{in, h}, Kind: Kernel, FanIn: in},
		{Name: "con.hidden.bias", Shape: []int{h}, Kind: Bias, FanIn: in},
		{Name: "con.kernel", Shape: []int{h, ContrastiveDim}, Kind: Kernel, FanIn: h},
		{Name: "con.bias", Shape: []int{ContrastiveDim}, Kind: Bias, FanIn: h},
	}
}

// contrastiveOffset is where the projection's tensors start in Specs
// order (after every other tensor).
func contrastiveOffset(c Config) int {
	c.ContrastiveHead = false
	return len(Specs(c))
}

// ContrastiveProjection is the projection of features [B, Config.Flat()]
// (Outputs.Features) with params in Specs order (the whole model's;
// c.ContrastiveHead must be set): [B, ContrastiveDim], each row of unit
// norm.
func ContrastiveProjection(c Config, params []*Node, features *Node) *Node {
	if !c.ContrastiveHead {
		panic(fmt.Errorf("model: contrastive projection: the model has no contrastive head"))
	}
	p := contrastiveOffset(c)
	h := Dot(features, params[p]).Product()
	h = ReLU(Add(h, lastAxis(params[p+1], h)))
	h = Dot(h, params[p+2]).Product()
	h = Add(h, lastAxis(params[p+3], h))
	return unitRows(h)
}

// unitRows divides each row of x [B, D] by its L2 norm (a floor of 1e-12
// on the squared norm keeps a zero row finite).
func unitRows(x *Node) *Node {
	n2 := ReduceAndKeep(Square(x), ReduceSum, -1)
	return Div(x, Sqrt(AddScalar(n2, 1e-12)))
}

// maskedSum is the sum over the values v of parts(v), each multiplied by
// the [B, 1, 1, 1] mask of the batch indices j whose key(j) is v.
func maskedSum(x *Node, values []int, key func(j int) int, part func(v int) *Node) *Node {
	g := x.Graph()
	b := x.Shape().Dimensions[0]
	var out *Node
	for _, v := range values {
		m := make([]float64, b)
		has := false
		for j := range m {
			if key(j) == v {
				m[j], has = 1, true
			}
		}
		if !has {
			continue
		}
		t := Mul(part(v), Reshape(ConstAsDType(g, x.DType(), m), b, 1, 1, 1))
		if out == nil {
			out = t
		} else {
			out = Add(out, t)
		}
	}
	return out
}

// shiftAxis moves every image of x [B, 32, 32, 1] by d rows down (up
// when d < 0) along axis 1, or d columns right along axis 2; zeros come
// in.
func shiftAxis(x *Node, d, axis int) *Node {
	if d == 0 {
		return x
	}
	dims := x.Shape().Dimensions
	n := dims[axis]
	zdims := append([]int(nil), dims...)
	zdims[axis] = abs(d)
	z := Zeros(x.Graph(), shapes.Make(x.DType(), zdims...))
	if d > 0 {
		return Concatenate([]*Node{z, SliceAxis(x, axis, AxisRange(0, n-d))}, axis)
	}
	return Concatenate([]*Node{SliceAxis(x, axis, AxisRange(-d, n)), z}, axis)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// ContrastiveView returns the second view of the batch x [B, 32, 32, 1]:
// image j changed by ContrastiveViewParams(j).
func ContrastiveView(x *Node) *Node {
	g := x.Graph()
	b := x.Shape().Dimensions[0]
	x = Reshape(x, b, 32, 32, 1)
	ps := make([]ViewParams, b)
	contrast, bright := make([]float64, b), make([]float64, b)
	for j := range ps {
		ps[j] = ContrastiveViewParams(j)
		contrast[j], bright[j] = ps[j].Contrast, ps[j].Brightness
	}
	x = maskedSum(x, []int{0, 1}, func(j int) int {
		if ps[j].Mirror {
			return 1
		}
		return 0
	}, func(v int) *Node {
		if v == 1 {
			return Reverse(x, 2)
		}
		return x
	})
	var shifts []int
	for d := -ContrastiveShift; d <= ContrastiveShift; d++ {
		shifts = append(shifts, d)
	}
	x = maskedSum(x, shifts, func(j int) int { return ps[j].DY }, func(d int) *Node { return shiftAxis(x, d, 1) })
	x = maskedSum(x, shifts, func(j int) int { return ps[j].DX }, func(d int) *Node { return shiftAxis(x, d, 2) })
	mean := Reshape(ReduceMean(Reshape(x, b, 32*32), 1), b, 1, 1, 1)
	c := Reshape(ConstAsDType(g, x.DType(), contrast), b, 1, 1, 1)
	br := Reshape(ConstAsDType(g, x.DType(), bright), b, 1, 1, 1)
	return ClipScalar(Add(Add(Mul(c, Sub(x, mean)), mean), br), 0, 1)
}

// ContrastiveLoss is NT-Xent (SimCLR) at temperature tau on the unit
// projections p1 and p2 [B, D] of two views of the same B images: over
// the 2B projections, each one's cross entropy of picking its other view
// among the other 2B - 1 by cosine similarity / tau, averaged. neg, when
// not nil, holds unit projections [M, D] that are extra negatives of
// every one of the 2B (CSI's shifted negatives: the batch turned).
func ContrastiveLoss(p1, p2, neg *Node, tau float64) *Node {
	g := p1.Graph()
	b := p1.Shape().Dimensions[0]
	p := Concatenate([]*Node{p1, p2}, 0)
	sim := MulScalar(Dot(p, Transpose(p, 0, 1)).Product(), 1/tau)
	m := 0
	if neg != nil {
		m = neg.Shape().Dimensions[0]
		sim = Concatenate([]*Node{sim, MulScalar(Dot(p, Transpose(neg, 0, 1)).Product(), 1/tau)}, 1)
	}
	w := 2*b + m
	self := make([]float64, 2*b*w)
	target := make([]int32, 2*b)
	for i := range 2 * b {
		self[i*w+i] = 1
		target[i] = int32((i + b) % (2 * b))
	}
	// a large negative on the diagonal leaves each projection out of its
	// own softmax (exp of it underflows to 0; similarities are at most
	// 1/tau)
	sim = Sub(sim, MulScalar(Reshape(ConstAsDType(g, sim.DType(), self), 2*b, w), 1e4))
	return CrossEntropy(sim, Const(g, target))
}

// contrastiveGraph builds the projections of one batch: inputs params,
// the folded kernels and biases (or bn when unfolded), x [B, 32, 32, 1];
// output [B, ContrastiveDim], batch norms in inference mode.
func (n *Net) contrastiveGraph(g *Graph, in []*Node) *Node {
	np := len(n.params)
	ns := len(in) - np - 1
	x := in[np+ns]
	var out Outputs
	if n.unfolded {
		out = Forward(n.cfg, in[:np], in[np:np+ns], x, false)
	} else {
		out = ForwardFolded(n.cfg, in[:np], in[np:np+ns], x)
	}
	return ContrastiveProjection(n.cfg, in[:np], out.Features)
}

// HasContrastiveHead reports whether the model has a contrastive head.
func (n *Net) HasContrastiveHead() bool { return n.cfg.ContrastiveHead }

// ContrastiveProjections returns the unit projections (ContrastiveDim
// values each, row after row) of count images (x holds count*1024
// pixels), batch norms in inference mode. A model without a contrastive
// head is an error.
func (n *Net) ContrastiveProjections(x []float32, count int) ([]float32, error) {
	return n.imageOutputs("contrastive projections", n.cfg.ContrastiveHead, "the model has no contrastive head (it was trained without a contrastive weight)",
		&n.contrastive, n.contrastiveGraph, x, count, ContrastiveDim)
}

// TurnedNegatives returns the batch x [B, 32, 32, 1] with image j turned
// by 1 + j mod 3 quarter turns clockwise (never upright): CSI's shifted
// negatives.
func TurnedNegatives(x *Node) *Node {
	b := x.Shape().Dimensions[0]
	x = Reshape(x, b, 32, 32, 1)
	return maskedSum(x, []int{1, 2, 3}, func(j int) int { return 1 + j%3 }, func(k int) *Node { return TurnImages(x, k) })
}

// validateContrastive reports what is wrong with the contrastive term's
// weight and temperature for the model config.
func (l LossConfig) validateContrastive(c Config) error {
	if l.Contrastive < 0 || math.IsNaN(l.Contrastive) || math.IsInf(l.Contrastive, 0) {
		return fmt.Errorf("loss: contrastive weight %v must be a non-negative number", l.Contrastive)
	}
	if l.ContrastiveTemp < 0 || math.IsNaN(l.ContrastiveTemp) || math.IsInf(l.ContrastiveTemp, 0) {
		return fmt.Errorf("loss: contrastive temperature %v must be a positive number (0: %g)", l.ContrastiveTemp, DefaultContrastiveTemp)
	}
	if l.Contrastive > 0 && !c.ContrastiveHead {
		return fmt.Errorf("loss: a contrastive loss needs a model with a contrastive head")
	}
	if l.ContrastiveTurned && l.Contrastive == 0 {
		return fmt.Errorf("loss: turned negatives need a contrastive weight")
	}
	return nil
}

// contrastiveTemp is the temperature of the contrastive term.
func (l LossConfig) contrastiveTemp() float64 {
	if l.ContrastiveTemp > 0 {
		return l.ContrastiveTemp
	}
	return DefaultContrastiveTemp
}

// contrastiveTerm appends the second view of the first b images of x to
// x (they share the batch norms' batch, as the rotation head's turned
// copies do) and returns the new x, and the function that, given the
// encoder's outputs of the new x, is the contrastive loss. It returns x
// and nil when the term is off.
func (l LossConfig) contrastiveTerm(c Config, params []*Node, x *Node, b int) (*Node, func(Outputs) *Node) {
	if l.Contrastive <= 0 {
		return x, nil
	}
	at := x.Shape().Dimensions[0]
	first := Slice(x, AxisRange(0, b))
	parts := []*Node{Reshape(x, at, 32, 32, 1), ContrastiveView(first)}
	if l.ContrastiveTurned {
		parts = append(parts, TurnedNegatives(first))
	}
	x = Concatenate(parts, 0)
	tau := l.contrastiveTemp()
	return x, func(out Outputs) *Node {
		p1 := ContrastiveProjection(c, params, Slice(out.Features, AxisRange(0, b)))
		p2 := ContrastiveProjection(c, params, Slice(out.Features, AxisRange(at, at+b)))
		var neg *Node
		if l.ContrastiveTurned {
			neg = ContrastiveProjection(c, params, Slice(out.Features, AxisRange(at+b, at+2*b)))
		}
		return ContrastiveLoss(p1, p2, neg, tau)
	}
}
