package latent

// appendOrthonormal appends to the orthonormal basis the part of w
// orthogonal to it (Gram-Schmidt; w is modified), normalised, when that
// part's norm exceeds tol; ok reports whether it did.
func appendOrthonormal(basis [][]float64, w []float64, tol float64) (out [][]float64, ok bool) {
	for _, b := range basis {
		p := dot(w, b)
		for k := range w {
			w[k] -= p * b[k]
		}
	}
	n := norm(w)
	if !(n > tol) {
		return basis, false
	}
	for k := range w {
		w[k] /= n
	}
	return append(basis, w), true
}

// SpanBasis returns an orthonormal basis of the span of the layout's
// centres (n_c - 1 vectors of n_d values for lsconf's simplex, n_d of
// them when the centres span the whole space).
func (l *Layout) SpanBasis() [][]float64 {
	var basis [][]float64
	for c := range l.NC() {
		basis, _ = appendOrthonormal(basis, append([]float64(nil), l.Center(c)...), 1e-9)
	}
	return basis
}

// PerpBasis returns an orthonormal basis of the complement of the span of
// the layout's centres (z_⊥'s coordinates; empty when the centres span
// the whole space, as in every layout without extra dimensions).
func (l *Layout) PerpBasis() [][]float64 {
	span := l.SpanBasis()
	all := span
	for e := range l.ND() {
		w := make([]float64, l.ND())
		w[e] = 1
		all, _ = appendOrthonormal(all, w, 1e-6)
	}
	return all[len(span):]
}
