package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// The rotation head: a self-supervised auxiliary task (Hendrycks et al.
// 2019; Golan and El-Yaniv 2018). A linear map (or one hidden layer,
// Config.RotationHidden) from the encoder's
// flattened features (Outputs.Features) to Rotations logits predicts by
// how many quarter turns an image was turned. Trained beside the class
// loss (LossConfig.Rotation), it asks the features to keep what says
// "upright", and at inference its loss is an open-set score
// (Net.RotationScores): an image of a class never trained on is turned
// back less confidently.

// Rotations is the number of turns the rotation head tells apart: 0, 90,
// 180 and 270 degrees clockwise.
const Rotations = 4

// rotationSpecs lists the rotation head's tensors: with a hidden layer its
// kernel [Flat, H] and bias [H], then the output kernel [Flat or H, 4]
// and bias [4].
func rotationSpecs(c Config) []ParamSpec {
	in := c.Flat()
	var out []ParamSpec
	if h := c.RotationHidden; h > 0 {
		out = append(out,
			ParamSpec{Name: "rot.hidden.kernel", Shape: []int{in, h}, Kind: Kernel, FanIn: in},
			ParamSpec{Name: "rot.hidden.bias", Shape: []int{h}, Kind: Bias, FanIn: in})
		in = h
	}
	return append(out,
		ParamSpec{Name: "rot.kernel", Shape: []int{in, Rotations}, Kind: Kernel, FanIn: in},
		ParamSpec{Name: "rot.bias", Shape: []int{Rotations}, Kind: Bias, FanIn: in})
}

// rotationOffset is where the rotation head's tensors start in Specs
// order (after every other tensor).
func rotationOffset(c Config) int {
	c.RotationHead, c.RotationHidden, c.ContrastiveHead = false, 0, false
	return len(Specs(c))
}

// RotationLogits is the rotation head on features [B, Config.Flat()]
// (Outputs.Features) with params in Specs order (the whole model's;
// c.RotationHead must be set): the logits [B, Rotations] of the number
// of quarter turns.
func RotationLogits(c Config, params []*Node, features *Node) *Node {
	if !c.RotationHead {
		panic(fmt.Errorf("model: rotation logits: the model has no rotation head"))
	}
	p := rotationOffset(c)
	h := features
	if c.RotationHidden > 0 {
		h = Dot(h, params[p]).Product()
		h = ReLU(Add(h, lastAxis(params[p+1], h)))
		p += 2
	}
	h = Dot(h, params[p]).Product()
	return Add(h, lastAxis(params[p+1], h))
}

// TurnImages turns every image of x [B, 32, 32, 1] by k quarter turns
// clockwise (k taken mod 4).
func TurnImages(x *Node, k int) *Node {
	b := x.Shape().Dimensions[0]
	x = Reshape(x, b, 32, 32, 1)
	switch ((k % Rotations) + Rotations) % Rotations {
	case 1:
		return Reverse(Transpose(x, 1, 2), 2)
	case 2:
		return Reverse(x, 1, 2)
	case 3:
		return Reverse(Transpose(x, 1, 2), 1)
	}
	return x
}

// RotatedImages returns the batch x [B, 32, 32, 1] with image j turned by
// j mod 4 quarter turns (deterministic, like PlaceholderImages: the
// batches are shuffled, so every image meets every turn over the epochs)
// and the turns [B] (int32), the rotation head's targets.
func RotatedImages(x *Node) (turned, turns *Node) {
	g := x.Graph()
	b := x.Shape().Dimensions[0]
	x = Reshape(x, b, 32, 32, 1)
	ks := make([]int32, b)
	for j := range ks {
		ks[j] = int32(j % Rotations)
	}
	for k := range Rotations {
		m := make([]float64, b)
		for j := range m {
			if j%Rotations == k {
				m[j] = 1
			}
		}
		part := Mul(TurnImages(x, k), Reshape(ConstAsDType(g, x.DType(), m), b, 1, 1, 1))
		if turned == nil {
			turned = part
		} else {
			turned = Add(turned, part)
		}
	}
	return turned, Const(g, ks)
}

// RotationLoss is the mean cross entropy of the rotation logits [B,
// Rotations] against the turns [B].
func RotationLoss(logits, turns *Node) *Node {
	return CrossEntropy(logits, turns)
}

// rotationScoreGraph builds the rotation score of one batch: inputs
// params, the folded kernels and biases (or bn when unfolded), x [B, 32,
// 32, 1]; output [B], each image's mean over the four turns k of -log
// p(k | image turned by k).
func (n *Net) rotationScoreGraph(g *Graph, in []*Node) *Node {
	np := len(n.params)
	ns := len(in) - np - 1
	x := in[np+ns]
	b := x.Shape().Dimensions[0]
	parts := make([]*Node, Rotations)
	for k := range parts {
		parts[k] = TurnImages(x, k)
	}
	all := Concatenate(parts, 0)
	var out Outputs
	if n.unfolded {
		out = Forward(n.cfg, in[:np], in[np:np+ns], all, false)
	} else {
		out = ForwardFolded(n.cfg, in[:np], in[np:np+ns], all)
	}
	logp := LogSoftmax(RotationLogits(n.cfg, in[:np], out.Features), -1)
	target := make([]float64, Rotations*b*Rotations)
	for k := range Rotations {
		for j := range b {
			target[(k*b+j)*Rotations+k] = 1
		}
	}
	nll := Neg(ReduceSum(Mul(logp, Reshape(ConstAsDType(g, logp.DType(), target), Rotations*b, Rotations)), 1))
	return ReduceMean(Reshape(nll, Rotations, b), 0)
}

// HasRotationHead reports whether the model has a rotation head.
func (n *Net) HasRotationHead() bool { return n.cfg.RotationHead }

// RotationScores returns, for each of count images (x holds count*1024
// pixels), the rotation head's open-set score: the mean over the four
// quarter turns k of -log p(k | the image turned by k), batch norms in
// inference mode. Each image is encoded four times (four times Infer's
// cost). A model without a rotation head is an error.
func (n *Net) RotationScores(x []float32, count int) ([]float32, error) {
	return n.imageOutputs("rotation scores", n.cfg.RotationHead, "the model has no rotation head (it was trained without a rotation weight)",
		&n.rotation, n.rotationScoreGraph, x, count, 1)
}
