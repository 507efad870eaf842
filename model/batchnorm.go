package model

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// BatchNormTrain normalises x over every axis but the last with the
// batch's own mean and (biased) variance, then scales by gamma and shifts
// by beta. It also returns the updated running statistics, as PyTorch
// computes them: running = (1-momentum)*running + momentum*batch, with the
// unbiased variance of the batch. The running statistics carry no
// gradient.
func BatchNormTrain(x, gamma, beta, runMean, runVar *Node, momentum, eps float64) (y, newMean, newVar *Node) {
	rank := x.Rank()
	axes := make([]int, rank-1)
	n := 1
	for i := range axes {
		axes[i] = i
		n *= x.Shape().Dimensions[i]
	}
	mean := ReduceMean(x, axes...)
	xc := Sub(x, lastAxis(mean, x))
	vari := ReduceMean(Square(xc), axes...)
	scale := Div(gamma, Sqrt(AddScalar(vari, eps))) // Rsqrt has no gradient in GoMLX
	y = Add(Mul(xc, lastAxis(scale, x)), lastAxis(beta, x))

	unbiased := vari
	if n > 1 {
		unbiased = MulScalar(vari, float64(n)/float64(n-1))
	}
	m := momentum
	newMean = Add(MulScalar(runMean, 1-m), MulScalar(StopGradient(mean), m))
	newVar = Add(MulScalar(runVar, 1-m), MulScalar(StopGradient(unbiased), m))
	return y, newMean, newVar
}

// BatchNormInfer normalises x over its last axis with the running
// statistics: (x - mean) * gamma / sqrt(var + eps) + beta.
func BatchNormInfer(x, gamma, beta, runMean, runVar *Node, eps float64) *Node {
	scale := Mul(gamma, Rsqrt(AddScalar(runVar, eps)))
	shift := Sub(beta, Mul(runMean, scale))
	return Add(Mul(x, lastAxis(scale, x)), lastAxis(shift, x))
}
