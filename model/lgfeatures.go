package model

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// latentParamsAt is the index, in Specs order, of the first of the four
// parameters of the dense map from the flattened features to z (after
// the Levels double convolutions' kernel, scale and shift).
const latentParamsAt = Levels * 2 * 3

// latentOf is the dense map from the flattened features flat to z, with
// zp its four parameters (two kernels and two biases, summed: the paper's
// a + b), then the sector transform of a polar encoder.
func latentOf(c Config, zp []*Node, flat *Node) *Node {
	aK, aB, bK, bB := zp[0], zp[1], zp[2], zp[3]
	z := Dot(flat, Add(aK, bK)).Product()
	z = Add(z, lastAxis(Add(aB, bB), z))
	if c.Sectors != nil {
		z = SectorTransform(z, c.Sectors)
	}
	return z
}

// ScaleGradient is x in the forward pass whose gradient is multiplied by
// keep in the backward pass: keep*x + (1-keep)*StopGradient(x).
func ScaleGradient(x *Node, keep float64) *Node {
	if keep == 1 {
		return x
	}
	return Add(MulScalar(x, keep), MulScalar(StopGradient(x), 1-keep))
}

// geometricLatent is the z that L_G and the centre pull see: z itself
// when stop is 0, otherwise z computed again from the encoder's features
// with their gradient scaled by 1 - stop, so that only that share of the
// two terms' gradient reaches the convolutions (the dense map to z still
// gets all of it). features are the batch's flattened features.
func geometricLatent(c Config, params []*Node, z, features *Node, stop float64) *Node {
	if stop == 0 {
		return z
	}
	return latentOf(c, params[latentParamsAt:latentParamsAt+4], ScaleGradient(features, 1-stop))
}
