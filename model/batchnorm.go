package model

import (
	"github.com/gomlx/compute"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// hasOps reports whether the backend x's graph runs on implements every op
// (lsconf's fork of gomlx/compute has the batch-norm ops; upstream's Go
// backend, which a program importing lsconf as a library gets, does not).
func hasOps(x *Node, ops ...compute.OpType) bool {
	caps := x.Graph().Backend().Capabilities()
	for _, op := range ops {
		if !caps.Operations[op] {
			return false
		}
	}
	return true
}

// BatchNormTrain normalises x over every axis but the last with the
// batch's own mean and (biased) variance, then scales by gamma and shifts
// by beta. It also returns the updated running statistics, as PyTorch
// computes them: running = (1-momentum)*running + momentum*batch, with the
// unbiased variance of the batch. The running statistics carry no
// gradient.
//
// It is the backend's BatchNormForTraining op (its gradient is the
// BatchNormGradient op), which lsconf's fork of gomlx/compute provides;
// on a backend without them it is batchNormTrainOps, the same from
// elementary graph ops.
func BatchNormTrain(x, gamma, beta, runMean, runVar *Node, momentum, eps float64) (y, newMean, newVar *Node) {
	if !hasOps(x, compute.OpTypeBatchNormForTraining, compute.OpTypeBatchNormGradient) {
		return batchNormTrainOps(x, gamma, beta, runMean, runVar, momentum, eps)
	}
	y, mean, vari := InternalBatchNormForTraining(x, gamma, beta, float32(eps), -1)
	newMean, newVar = runningUpdate(x, mean, vari, runMean, runVar, momentum)
	return y, newMean, newVar
}

// runningUpdate returns PyTorch's running mean and variance after a batch
// of x with mean and biased variance vari.
func runningUpdate(x, mean, vari, runMean, runVar *Node, momentum float64) (newMean, newVar *Node) {
	n := x.Shape().Size() / x.Shape().Dimensions[x.Rank()-1]
	unbiased := StopGradient(vari)
	if n > 1 {
		unbiased = MulScalar(unbiased, float64(n)/float64(n-1))
	}
	m := momentum
	newMean = Add(MulScalar(runMean, 1-m), MulScalar(StopGradient(mean), m))
	newVar = Add(MulScalar(runVar, 1-m), MulScalar(unbiased, m))
	return newMean, newVar
}

// batchNormTrainOps is BatchNormTrain written with elementary graph ops
// (reductions and broadcasts), for backends without the batch-norm ops
// and as the tests' reference.
func batchNormTrainOps(x, gamma, beta, runMean, runVar *Node, momentum, eps float64) (y, newMean, newVar *Node) {
	axes := make([]int, x.Rank()-1)
	for i := range axes {
		axes[i] = i
	}
	mean := ReduceMean(x, axes...)
	xc := Sub(x, lastAxis(mean, x))
	vari := ReduceMean(Square(xc), axes...)
	scale := Div(gamma, Sqrt(AddScalar(vari, eps))) // Rsqrt has no gradient in GoMLX
	y = Add(Mul(xc, lastAxis(scale, x)), lastAxis(beta, x))
	newMean, newVar = runningUpdate(x, mean, vari, runMean, runVar, momentum)
	return y, newMean, newVar
}

// BatchNormInfer normalises x over its last axis with the running
// statistics: (x - mean) * gamma / sqrt(var + eps) + beta (the backend's
// BatchNormForInference op, or batchNormInferOps without it).
func BatchNormInfer(x, gamma, beta, runMean, runVar *Node, eps float64) *Node {
	if !hasOps(x, compute.OpTypeBatchNormForInference) {
		return batchNormInferOps(x, gamma, beta, runMean, runVar, eps)
	}
	return InternalBatchNormForInference(x, gamma, beta, runMean, runVar, float32(eps), -1)
}

// batchNormInferOps is BatchNormInfer written with elementary graph ops,
// for backends without the batch-norm ops and as the tests' reference.
func batchNormInferOps(x, gamma, beta, runMean, runVar *Node, eps float64) *Node {
	scale := Div(gamma, Sqrt(AddScalar(runVar, eps)))
	return Add(Mul(Sub(x, lastAxis(runMean, x)), lastAxis(scale, x)), lastAxis(beta, x))
}
