package model

import (
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// padHW zero-pads x [B, H, W, C] by one pixel on each side of H and W by
// concatenating zeros (the backend's Pad has no gradient).
func padHW(x *Node) *Node {
	g := x.Graph()
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1], d[2], d[3]
	zc := Zeros(g, shapes.Make(x.DType(), b, h, 1, c))
	x = Concatenate([]*Node{zc, x, zc}, 2)
	zr := Zeros(g, shapes.Make(x.DType(), b, 1, w+2, c))
	return Concatenate([]*Node{zr, x, zr}, 1)
}

// im2col returns the 3x3 neighbourhoods of x [B, H, W, C] (zero padded)
// as a matrix [B*H*W, 9*C] whose columns are ordered (dy, dx, c): nine
// shifted slices of the padded input, concatenated on the channel axis.
func im2col(x *Node) *Node {
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1], d[2], d[3]
	xp := padHW(x)
	cols := make([]*Node, 0, 9)
	for dy := 0; dy < 3; dy++ {
		for dx := 0; dx < 3; dx++ {
			cols = append(cols, Slice(xp, AxisRange(), AxisRange(dy, dy+h), AxisRange(dx, dx+w), AxisRange()))
		}
	}
	return Reshape(Concatenate(cols, 3), b*h*w, 9*c)
}

// Conv3x3 is a 3x3 convolution with padding 1 and stride 1 of x
// [B, H, W, Cin] with kernel [9*Cin, Cout] (rows ordered (dy, dx, cin):
// the memory of an HWIO kernel [3, 3, Cin, Cout]). The result is
// [B, H, W, Cout]. It is PyTorch's Conv2d(padding=1) cross correlation:
// out[y, x] = sum over (dy, dx) of in[y+dy-1, x+dx-1] k[dy, dx].
//
// It is GoMLX's Convolve (the backend's ConvGeneral, and ConvGeneral again
// for both gradients), which lsconf's fork of gomlx/compute computes as an
// implicit GEMM with AVX-512 kernels: measured 2-2.5x less CPU per train
// step than Conv3x3Im2col (docs/training.md). Without the fork's fast path
// (GOMLX_CONV_FAST=false) it falls back to the upstream executor, which is
// much slower.
func Conv3x3(x, kernel *Node) *Node {
	cin, cout := x.Shape().Dimensions[3], kernel.Shape().Dimensions[1]
	return Convolve(x, Reshape(kernel, 3, 3, cin, cout)).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
}

// Conv3x3Im2col is Conv3x3 computed as one matrix product of the im2col
// matrix and the kernel (MatMulFast), from graph ops only. It was the
// model's first formulation; it stays as a reference for tests and
// benchmarks, and for backends without a fast ConvGeneral.
func Conv3x3Im2col(x, kernel *Node) *Node {
	d := x.Shape().Dimensions
	cout := kernel.Shape().Dimensions[1]
	out := MatMulFast(im2col(x), kernel)
	return Reshape(out, d[0], d[1], d[2], cout)
}

// MaxPool2 is a 2x2 max pool with stride 2 of x [B, H, W, C] (H and W
// even): GoMLX's MaxPool (the backend's ReduceWindow; its gradient,
// SelectAndScatterMax, goes to one maximum of each window, as PyTorch's).
// lsconf's compute fork runs both fast.
func MaxPool2(x *Node) *Node {
	return MaxPool(x).Window(2).Strides(2).Done()
}

// maxPool2Reshape is MaxPool2 as a reshape to [B, H/2, 2, W/2, 2, C] and a
// ReduceMax over the window axes (its gradient goes to every tied
// maximum): the tests' reference.
func maxPool2Reshape(x *Node) *Node {
	d := x.Shape().Dimensions
	b, h, w, c := d[0], d[1], d[2], d[3]
	return ReduceMax(Reshape(x, b, h/2, 2, w/2, 2, c), 2, 4)
}

// ReLU is max(x, 0), written as Where(x > 0, x, 0) with a scalar zero:
// its gradient is one Where, where GoMLX's Max gradient takes several
// passes (two Signs, an Add, a Sub and Muls); the scalar is not
// materialized by the compute fork. The gradient at 0 is 0.
func ReLU(x *Node) *Node {
	zero := ScalarZero(x.Graph(), x.DType())
	return Where(GreaterThan(x, zero), x, zero)
}

// ConvBiasReLU is ReLU(Conv3x3(x, kernel) + bias) with bias [Cout]: a
// convolution whose batch norm is folded into its kernel and bias
// (FoldBN). lsconf's compute fork runs the three as one op (the
// convolution stores its output through a bias + ReLU epilogue); on other
// backends they are three ops with the same result.
func ConvBiasReLU(x, kernel, bias *Node) *Node {
	h := Conv3x3(x, kernel)
	return ReLU(Add(h, lastAxis(bias, h)))
}
