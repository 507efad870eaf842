package model

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/internal/testutil"
)

func TestBatchNormTrainAndInfer(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(5, 6))
	const n, c = 12, 3 // 12 samples (as [2, 3, 2, c]) per channel
	x := randUniform(rng, n*c, -2, 3)
	gamma := []float32{1.5, -0.5, 2}
	beta := []float32{0.1, 0.2, -0.3}
	runMean := []float32{0.5, -1, 0}
	runVar := []float32{2, 1, 0.5}
	const mom, eps = 0.1, 1e-5
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			y, m, v := BatchNormTrain(in[0], in[1], in[2], in[3], in[4], mom, eps)
			yi := BatchNormInfer(in[0], in[1], in[2], in[3], in[4], eps)
			return []*graph.Node{y, m, v, yi}
		}, tensors.FromFlatDataAndDimensions(x, 2, 3, 2, c), gamma, beta, runMean, runVar)
		y := tensors.MustCopyFlatData[float32](out[0])
		m := tensors.MustCopyFlatData[float32](out[1])
		v := tensors.MustCopyFlatData[float32](out[2])
		yi := tensors.MustCopyFlatData[float32](out[3])
		for ch := 0; ch < c; ch++ {
			mean, sq := 0.0, 0.0
			for i := 0; i < n; i++ {
				mean += float64(x[i*c+ch])
			}
			mean /= n
			for i := 0; i < n; i++ {
				d := float64(x[i*c+ch]) - mean
				sq += d * d
			}
			biased, unbiased := sq/n, sq/(n-1)
			for i := 0; i < n; i++ {
				want := (float64(x[i*c+ch])-mean)/math.Sqrt(biased+eps)*float64(gamma[ch]) + float64(beta[ch])
				if math.Abs(float64(y[i*c+ch])-want) > 1e-5 {
					t.Errorf("train y[%d,%d] = %v, want %v", i, ch, y[i*c+ch], want)
				}
				wantI := (float64(x[i*c+ch])-float64(runMean[ch]))/math.Sqrt(float64(runVar[ch])+eps)*float64(gamma[ch]) + float64(beta[ch])
				if math.Abs(float64(yi[i*c+ch])-wantI) > 1e-5 {
					t.Errorf("infer y[%d,%d] = %v, want %v", i, ch, yi[i*c+ch], wantI)
				}
			}
			if want := (1-mom)*float64(runMean[ch]) + mom*mean; math.Abs(float64(m[ch])-want) > 1e-6 {
				t.Errorf("running mean[%d] = %v, want %v", ch, m[ch], want)
			}
			if want := (1-mom)*float64(runVar[ch]) + mom*unbiased; math.Abs(float64(v[ch])-want) > 1e-6 {
				t.Errorf("running var[%d] = %v, want %v", ch, v[ch], want)
			}
		}
	})
}

// TestBatchNormOpsAgree compares the backend's batch-norm ops with the
// same function written with elementary graph ops: output, running
// statistics and the gradients with respect to x, gamma and beta.
func TestBatchNormOpsAgree(t *testing.T) {
	b := testBackend(t)
	rng := rand.New(rand.NewPCG(17, 18))
	const c = 4
	x := randUniform(rng, 3*5*2*c, -2, 3)
	gamma := randUniform(rng, c, 0.5, 2)
	beta := randUniform(rng, c, -1, 1)
	rm := randUniform(rng, c, -1, 1)
	rv := randUniform(rng, c, 0.5, 2)
	r := randUniform(rng, 3*5*2*c, -1, 1)
	testutil.Within(t, graphTimeout, func() {
		out := runGraph(t, b, func(g *graph.Graph, in []*graph.Node) []*graph.Node {
			// lsconf's fork has the ops: BatchNormTrain uses them here, so
			// the comparison is of two implementations.
			if !hasOps(in[0], compute.OpTypeBatchNormForTraining, compute.OpTypeBatchNormGradient, compute.OpTypeBatchNormForInference) {
				t.Error("the test backend lacks the fork's batch-norm ops")
			}
			var res []*graph.Node
			for _, bn := range []func(x, gamma, beta, rm, rv *graph.Node, m, e float64) (*graph.Node, *graph.Node, *graph.Node){BatchNormTrain, batchNormTrainOps} {
				y, m, v := bn(in[0], in[1], in[2], in[3], in[4], 0.1, 1e-5)
				loss := graph.ReduceAllSum(graph.Mul(y, in[5]))
				gr := graph.Gradient(loss, in[0], in[1], in[2])
				res = append(res, y, m, v, gr[0], gr[1], gr[2])
			}
			return append(res, BatchNormInfer(in[0], in[1], in[2], in[3], in[4], 1e-5), batchNormInferOps(in[0], in[1], in[2], in[3], in[4], 1e-5))
		}, tensors.FromFlatDataAndDimensions(x, 3, 5, 2, c), gamma, beta, rm, rv, tensors.FromFlatDataAndDimensions(r, 3, 5, 2, c))
		names := []string{"y", "running mean", "running var", "dx", "dgamma", "dbeta"}
		for i, name := range names {
			a := tensors.MustCopyFlatData[float32](out[i])
			o := tensors.MustCopyFlatData[float32](out[i+6])
			for j := range a {
				if math.Abs(float64(a[j]-o[j])) > 1e-4*max(1, math.Abs(float64(o[j]))) {
					t.Errorf("%s[%d]: batch-norm op %v, graph ops %v", name, j, a[j], o[j])
					break
				}
			}
		}
		a, o := tensors.MustCopyFlatData[float32](out[12]), tensors.MustCopyFlatData[float32](out[13])
		for j := range a {
			if math.Abs(float64(a[j]-o[j])) > 1e-5*max(1, math.Abs(float64(o[j]))) {
				t.Errorf("inference y[%d]: batch-norm op %v, graph ops %v", j, a[j], o[j])
				break
			}
		}
	})
}
