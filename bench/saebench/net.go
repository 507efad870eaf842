package saebench

import (
	"math"

	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// lastAxis reshapes v [C] to [1, ..., 1, C] of x's rank, to broadcast on
// x's last axis.
func lastAxis(v, x *Node) *Node {
	dims := make([]int, x.Rank())
	for i := range dims {
		dims[i] = 1
	}
	dims[len(dims)-1] = v.Shape().Dimensions[0]
	return Reshape(v, dims...)
}

// conv3x3 is a 3x3 convolution, padding 1, stride 1, of x [B, H, W, Cin]
// with the HWIO kernel k [3, 3, Cin, Cout], in the configured formulation.
func conv3x3(c Config, x, k *Node) *Node {
	if c.Conv == ConvConvolve {
		return Convolve(x, k).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
	}
	d := x.Shape().Dimensions
	b, h, w, ci := d[0], d[1], d[2], d[3]
	co := k.Shape().Dimensions[3]
	g := x.Graph()
	zc := Zeros(g, shapes.Make(x.DType(), b, h, 1, ci))
	xp := Concatenate([]*Node{zc, x, zc}, 2)
	zr := Zeros(g, shapes.Make(x.DType(), b, 1, w+2, ci))
	xp = Concatenate([]*Node{zr, xp, zr}, 1)
	cols := make([]*Node, 0, 9)
	for dy := 0; dy < 3; dy++ {
		for dx := 0; dx < 3; dx++ {
			cols = append(cols, Slice(xp, AxisRange(), AxisRange(dy, dy+h), AxisRange(dx, dx+w), AxisRange()))
		}
	}
	m := Reshape(Concatenate(cols, 3), b*h*w, 9*ci)
	out := Dot(m, Reshape(k, 9*ci, co)).Product()
	return Reshape(out, b, h, w, co)
}

// maxPool2 is a 2x2 max pool with stride 2 of x [B, H, W, C].
func maxPool2(c Config, x *Node) *Node {
	if c.Pool == PoolWindow {
		return MaxPool(x).Window(2).Strides(2).Done()
	}
	d := x.Shape().Dimensions
	return ReduceMax(Reshape(x, d[0], d[1]/2, 2, d[2]/2, 2, d[3]), 2, 4)
}

// batchNormTrain normalises x over all axes but the last with the batch
// statistics, and returns the new running mean and variance (PyTorch's
// update with the unbiased batch variance).
func batchNormTrain(c Config, x, gamma, beta, runMean, runVar *Node) (y, newMean, newVar *Node) {
	n := x.Shape().Size() / x.Shape().Dimensions[x.Rank()-1]
	var mean, vari *Node
	if c.Norm == NormFused {
		y, mean, vari = InternalBatchNormForTraining(x, gamma, beta, BNEps, -1)
	} else {
		axes := make([]int, x.Rank()-1)
		for i := range axes {
			axes[i] = i
		}
		mean = ReduceMean(x, axes...)
		xc := Sub(x, lastAxis(mean, x))
		vari = ReduceMean(Square(xc), axes...)
		scale := Div(gamma, Sqrt(AddScalar(vari, BNEps)))
		y = Add(Mul(xc, lastAxis(scale, x)), lastAxis(beta, x))
	}
	unbiased := MulScalar(StopGradient(vari), float64(n)/float64(max(n-1, 1)))
	newMean = Add(MulScalar(runMean, 1-BNMom), MulScalar(StopGradient(mean), BNMom))
	newVar = Add(MulScalar(runVar, 1-BNMom), MulScalar(unbiased, BNMom))
	return y, newMean, newVar
}

// batchNormInfer normalises x with the running statistics.
func batchNormInfer(c Config, x, gamma, beta, mean, vari *Node) *Node {
	if c.Norm == NormFused {
		return InternalBatchNormForInference(x, gamma, beta, mean, vari, BNEps, -1)
	}
	scale := Mul(gamma, Rsqrt(AddScalar(vari, BNEps)))
	shift := Sub(beta, Mul(mean, scale))
	return Add(Mul(x, lastAxis(scale, x)), lastAxis(shift, x))
}

// relu is max(x, 0) in the configured formulation.
func relu(c Config, x *Node) *Node {
	if c.Relu == ReluWhere {
		zero := ScalarZero(x.Graph(), x.DType())
		return Where(GreaterThan(x, zero), x, zero)
	}
	return MaxScalar(x, 0)
}

// encode builds the encoder on x [B, 32, 32, 1]: z [B, n_d] and, in
// training mode, the new running statistics (two per conv).
func encode(c Config, params, bn []*Node, x *Node, training bool) (z *Node, newBN []*Node) {
	b := x.Shape().Dimensions[0]
	h := x
	p, s := 0, 0
	for l := 0; l < 5; l++ {
		if l > 0 {
			h = maxPool2(c, h)
		}
		for j := 0; j < 2; j++ {
			h = conv3x3(c, h, params[p])
			if training {
				var m, v *Node
				h, m, v = batchNormTrain(c, h, params[p+1], params[p+2], bn[s], bn[s+1])
				newBN = append(newBN, m, v)
			} else {
				h = batchNormInfer(c, h, params[p+1], params[p+2], bn[s], bn[s+1])
			}
			h = relu(c, h)
			p += 3
			s += 2
		}
	}
	flat := Reshape(h, b, -1)
	a := Add(Dot(flat, params[p]).Product(), lastAxis(params[p+1], flat))
	bb := Add(Dot(flat, params[p+2]).Product(), lastAxis(params[p+3], flat))
	return Add(a, bb), newBN
}

// classify is the classifier n_d -> 32 -> 64 -> n_c on z.
func classify(params []*Node, z *Node) *Node {
	h := z
	for i := 0; i < 3; i++ {
		h = Add(Dot(h, params[2*i]).Product(), lastAxis(params[2*i+1], h))
		if i < 2 {
			h = MaxScalar(h, 0)
		}
	}
	return h
}

// loss is CE + KG * L_G (eq 10, L_G summed over the batch) for logits
// [B, NC], z [B, ND] and labels [B] int32.
func loss(z, logits, labels *Node) *Node {
	g := z.Graph()
	oneHot := OneHot(labels, NC, z.DType())
	ce := Neg(ReduceAllMean(ReduceSum(Mul(oneHot, LogSoftmax(logits, -1)), 1)))
	centres := make([][]float32, NC)
	for i := range centres {
		a := 2 * math.Pi * float64(i) / NC
		centres[i] = []float32{float32(DC * math.Cos(a)), float32(DC * math.Sin(a))}
	}
	own := Dot(oneHot, Const(g, centres)).Product()
	s := ReduceSum(Square(Sub(z, own)), 1)
	pos := GreaterThan(s, ZerosLike(s))
	d := Where(pos, Sqrt(Where(pos, s, OnesLike(s))), ZerosLike(s))
	lg := ReduceAllSum(AddScalar(Exp(MaxScalar(AddScalar(d, -RC), 0)), -1))
	return Add(ce, MulScalar(lg, KG))
}

// adam is one Adam step (PyTorch's, no weight decay) of p with gradient
// grad and moments m, v; lrHat = lr/(1-b1^t), inv = 1/sqrt(1-b2^t).
func adam(p, grad, m, v, lrHat, inv *Node) (np, nm, nv *Node) {
	nm = Add(MulScalar(m, Beta1), MulScalar(grad, 1-Beta1))
	nv = Add(MulScalar(v, Beta2), MulScalar(Square(grad), 1-Beta2))
	den := AddScalar(Mul(Sqrt(nv), inv), AdamEp)
	np = Sub(p, Mul(lrHat, Div(nm, den)))
	return np, nm, nv
}
