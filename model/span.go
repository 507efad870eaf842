package model

import (
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified

	"github.com/lsconf/lsconf/latent"
)

// SpanMatrix is the orthogonal projection [n_d, n_d] onto the span of l's
// centres (the identity when they span the whole space, as lsconf's
// simplex and circle layouts do): the rows of an orthonormal basis of the
// span (Gram-Schmidt over the centres), B^T B.
func SpanMatrix(l *latent.Layout) [][]float64 {
	nd := l.ND()
	basis := l.SpanBasis()
	p := make([][]float64, nd)
	for i := range p {
		p[i] = make([]float64, nd)
		for _, b := range basis {
			for j := range nd {
				p[i][j] += b[i] * b[j]
			}
		}
	}
	return p
}

// SpanProjection returns z [B, n_d] projected onto the span of l's
// centres (z SpanMatrix(l); the projection is symmetric).
func SpanProjection(z *Node, l *latent.Layout) *Node {
	return Dot(z, ConstAsDType(z.Graph(), z.DType(), SpanMatrix(l))).Product()
}
