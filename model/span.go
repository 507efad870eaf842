package model

import (
	"math"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph-building code reads better unqualified

	"github.com/lsconf/lsconf/latent"
)

// SpanMatrix is the orthogonal projection [n_d, n_d] onto the span of l's
// centres (the identity when they span the whole space, as lsconf's
// simplex and circle layouts do): the rows of an orthonormal basis of the
// span (Gram-Schmidt over the centres), B^T B.
func SpanMatrix(l *latent.Layout) [][]float64 {
	nd := l.ND()
	var basis [][]float64
	for _, c := range l.Centers() {
		w := append([]float64(nil), c...)
		for _, b := range basis {
			p := 0.0
			for k := range w {
				p += w[k] * b[k]
			}
			for k := range w {
				w[k] -= p * b[k]
			}
		}
		n := 0.0
		for _, x := range w {
			n += x * x
		}
		if n = math.Sqrt(n); n > 1e-9 {
			for k := range w {
				w[k] /= n
			}
			basis = append(basis, w)
		}
	}
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
