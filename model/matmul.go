package model

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// MatMulFast returns a [N, K] x w [K, M] -> [N, M] with a gradient written for
// the Go backend's matmul kernels, which take [N, K] x [K, M] and
// [N, K] x [M, K] without copying but transpose any other layout first:
//
//   - da = v w^T is one product in the [N, K] x [M, K] layout (GoMLX's own
//     gradient adds an identity Transpose, a full copy of da);
//   - dw = a^T v contracts over N, which no kernel layout has last, so one
//     operand must be transposed: this transposes whichever is cheaper,
//     v (plus the small [M, K] result) or a, where the backend would
//     transpose both.
//
// The gradient is attached with IdentityWithCustomGradient "taps" on a and
// w, whose own incoming gradients (the generic ones, built by autodiff
// through the product) are ignored and removed by the backend's dead-code
// elimination. It is valid for one graph.Gradient call on the graph.
func MatMulFast(a, w *Node) *Node {
	var v *Node // gradient of the output, set during the backward sweep
	need := func() *Node {
		if v == nil {
			panic(fmt.Errorf("model.MatMulFast: gradient of the input requested before that of the output"))
		}
		return v
	}
	n, k := a.Shape().Dimensions[0], a.Shape().Dimensions[1]
	m := w.Shape().Dimensions[1]
	aTap := IdentityWithCustomGradient(a, func(_, _ *Node) *Node {
		// [N, M] x [K, M] contracting M: the kernels' transposed layout.
		return Dot(need(), w).General([]int{1}, nil, []int{1}, nil)
	})
	wTap := IdentityWithCustomGradient(w, func(_, _ *Node) *Node {
		if n*k <= n*m+k*m {
			return Dot(Transpose(a, 0, 1), need()).Product() // [K, N] x [N, M]
		}
		// ([M, N] x [N, K])^T
		return Transpose(Dot(Transpose(need(), 0, 1), a).Product(), 0, 1)
	})
	out := Dot(aTap, wTap).Product()
	return IdentityWithCustomGradient(out, func(_, g *Node) *Node {
		v = g
		return g
	})
}
