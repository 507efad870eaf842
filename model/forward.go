package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// Outputs are the nodes of one forward pass.
type Outputs struct {
	// Z is the latent encoding [B, n_d]: a + b, then the encoder
	// configuration when there is one.
	Z *Node
	// Logits is the classifier's output p [B, n_c].
	Logits *Node
	// Features are the encoder's flattened convolution features [B,
	// Config.Flat()], the input of the dense map to z.
	Features *Node
	// LevelOutputs are the encoder's five levels' outputs [B, H, W, C]
	// (after each double convolution, before the next pool).
	LevelOutputs []*Node
	// NewBN are the updated batch-norm running statistics (BNSpecs order)
	// in training mode; nil at inference.
	NewBN []*Node
}

// Forward builds the SAE of Table 1 on x [B, 32, 32, 1] (or [B, 1024])
// with params in Specs order and bn in BNSpecs order. In training mode
// the batch norms use the batch's statistics and Outputs.NewBN holds the
// updated running averages; otherwise they use the running averages.
func Forward(c Config, params, bn []*Node, x *Node, training bool) Outputs {
	return forward(c, params, bn, nil, x, training)
}

// ForwardFolded is Forward at inference with each batch norm folded into
// its convolution: folded holds, for each of the ten convolutions (and
// then the decoder's, unused here), its kernel and bias with the batch
// norm folded in (FoldBN), and each layer
// is ConvBiasReLU. params is in Specs order; its convolution kernels and
// batch-norm scales are not used.
func ForwardFolded(c Config, params, folded []*Node, x *Node) Outputs {
	return forward(c, params, nil, folded, x, false)
}

// forward is Forward, or ForwardFolded when folded is not nil.
func forward(c Config, params, bn, folded []*Node, x *Node, training bool) Outputs {
	c = c.WithDefaults()
	bn = graphInputs("forward", c, params, bn, folded)
	b := x.Shape().Dimensions[0]
	h := Reshape(x, b, 32, 32, 1)
	var out Outputs
	p, s := 0, 0
	for l := 0; l < Levels; l++ {
		if l > 0 {
			h = MaxPool2(h)
		}
		for j := 0; j < 2; j++ {
			kernel, gamma, beta := params[p], params[p+1], params[p+2]
			p += 3
			if folded != nil {
				h = ConvBiasReLU(h, folded[s], folded[s+1])
				s += 2
				continue
			}
			h = convBNReLU(c, h, kernel, gamma, beta, bn[s], bn[s+1], training, &out.NewBN)
			s += 2
		}
		out.LevelOutputs = append(out.LevelOutputs, h)
	}
	flat := Reshape(h, b, c.Flat())
	out.Features = flat
	// z = a + b = flat*Wa + ba + flat*Wb + bb, computed as one product
	// flat*(Wa+Wb) + (ba+bb): the same function and the same gradients
	// for both heads, at half the cost.
	z := latentOf(c, params[p:p+4], flat)
	p += 4
	out.Z = z
	if c.IsDistance() {
		out.Logits = DistanceLogits(c, params[p:], z)
		return out
	}
	hc := z
	for i := 0; i < 3; i++ {
		hc = Dot(hc, params[p]).Product()
		hc = Add(hc, lastAxis(params[p+1], hc))
		p += 2
		if i < 2 {
			hc = ReLU(hc)
		}
	}
	out.Logits = hc
	return out
}

// convBNReLU is one convolution of a double convolution: Conv3x3, batch
// norm (the batch's statistics in training, whose updated running
// averages are appended to newBN; else the running averages), ReLU.
func convBNReLU(c Config, h, kernel, gamma, beta, mean, variance *Node, training bool, newBN *[]*Node) *Node {
	h = Conv3x3(h, kernel)
	if training {
		var m, v *Node
		h, m, v = BatchNormTrain(h, gamma, beta, mean, variance, c.BNMomentum, c.BNEpsilon)
		*newBN = append(*newBN, m, v)
	} else if c.inferGrad {
		h = batchNormInferOps(h, gamma, beta, mean, variance, c.BNEpsilon)
	} else {
		h = BatchNormInfer(h, gamma, beta, mean, variance, c.BNEpsilon)
	}
	return ReLU(h)
}

// graphInputs checks the counts of a graph's parameters (Specs order) and
// of its batch-norm statistics (BNSpecs order) or, when folded is not nil,
// its folded kernels and biases (FoldBN: two per convolution, as BNSpecs
// has two statistics; the encoder's come first), and returns the second
// list: bn, or folded.
func graphInputs(what string, c Config, params, bn, folded []*Node) []*Node {
	nbn := len(BNSpecs(c))
	if folded != nil {
		bn, nbn = folded, len(foldedSpecs(c))
	}
	if len(params) != len(Specs(c)) || len(bn) != nbn {
		panic(fmt.Errorf("model: %s got %d parameters and %d batch-norm statistics (or folded kernels and biases), want %d and %d",
			what, len(params), len(bn), len(Specs(c)), nbn))
	}
	return bn
}
