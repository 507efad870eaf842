package model

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified
)

// lastAxis reshapes a vector v [C] to the rank of x ([1, ..., 1, C]) so
// that it broadcasts along x's last axis (GoMLX broadcasts only between
// operands of equal rank).
func lastAxis(v, x *Node) *Node {
	dims := make([]int, x.Rank())
	for i := range dims {
		dims[i] = 1
	}
	dims[len(dims)-1] = v.Shape().Dimensions[0]
	return Reshape(v, dims...)
}
