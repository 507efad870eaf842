package model

import (
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// Adam holds the optimiser's hyper-parameters (PyTorch's Adam without
// weight decay).
type Adam struct {
	LR      float64 `json:"lr"`
	Beta1   float64 `json:"beta1"`
	Beta2   float64 `json:"beta2"`
	Epsilon float64 `json:"epsilon"`
}

// DefaultAdam returns Adam with PyTorch's defaults and learning rate lr.
func DefaultAdam(lr float64) Adam { return Adam{LR: lr, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8} }

// stepScalars returns the two step-dependent scalars of the update at step
// t (1-based): lr/(1-beta1^t) and 1/sqrt(1-beta2^t), computed in float64.
func (a Adam) stepScalars(t int64) (lrHat, invSqrtBC2 float64) {
	bc1 := 1 - math.Pow(a.Beta1, float64(t))
	bc2 := 1 - math.Pow(a.Beta2, float64(t))
	return a.LR / bc1, 1 / math.Sqrt(bc2)
}

// adamUpdate returns the new parameter and moments of one Adam step:
// m' = b1 m + (1-b1) g, v' = b2 v + (1-b2) g^2,
// p' = p - lrHat * m' / (sqrt(v') * invSqrtBC2 + eps), as PyTorch does.
func adamUpdate(a Adam, p, grad, m, v, lrHat, invSqrtBC2 *Node) (np, nm, nv *Node) {
	nm = Add(MulScalar(m, a.Beta1), MulScalar(grad, 1-a.Beta1))
	nv = Add(MulScalar(v, a.Beta2), MulScalar(Square(grad), 1-a.Beta2))
	den := AddScalar(Mul(Sqrt(nv), invSqrtBC2), a.Epsilon)
	np = Sub(p, Mul(lrHat, Div(nm, den)))
	return np, nm, nv
}
