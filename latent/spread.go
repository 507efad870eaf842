package latent

import (
	"math"
	"math/rand/v2"
)

// simplex returns the nc vertices of a regular simplex on the unit sphere
// of R^nd (nc <= nd+1): centred standard basis vectors of R^nc written in an
// orthonormal basis of their (nc-1)-dimensional span, zero-padded to nd.
func simplex(nc, nd int) [][]float64 {
	u := make([][]float64, nc)
	for i := range u {
		u[i] = make([]float64, nc)
		for k := range u[i] {
			u[i][k] = -1 / float64(nc)
		}
		u[i][i] += 1
	}
	// Gram-Schmidt on u_0..u_{nc-2}: they span the (nc-1)-dim subspace.
	var basis [][]float64
	for i := 0; i < nc-1; i++ {
		basis, _ = appendOrthonormal(basis, append([]float64(nil), u[i]...), 0)
	}
	out := make([][]float64, nc)
	for i := range out {
		out[i] = make([]float64, nd)
		for k, b := range basis {
			out[i][k] = dot(u[i], b)
		}
		n := norm(out[i])
		for k := range out[i] {
			out[i][k] /= n
		}
	}
	return out
}

// sphericalCode spreads nc points on the unit sphere of R^nd by gradient
// descent on the Riesz s-energy sum 1/|x_i-x_j|^s with s = nd+2, starting
// from a fixed-seed Gaussian sample. It is deterministic.
func sphericalCode(nc, nd int) [][]float64 {
	rng := rand.New(rand.NewPCG(0x6c73636f6e66, uint64(nc)<<16|uint64(nd)))
	x := make([][]float64, nc)
	for i := range x {
		x[i] = make([]float64, nd)
		for k := range x[i] {
			x[i][k] = rng.NormFloat64()
		}
		normalize(x[i])
	}
	s := float64(nd + 2)
	work := float64(nc) * float64(nc) * float64(nd)
	iters := int(math.Max(60, math.Min(1500, 3e8/work)))
	force := make([][]float64, nc)
	for i := range force {
		force[i] = make([]float64, nd)
	}
	diff := make([]float64, nd)
	for it := 0; it < iters; it++ {
		maxF := 0.0
		for i := range force {
			clear(force[i])
		}
		for i := 0; i < nc; i++ {
			for j := i + 1; j < nc; j++ {
				d2 := 0.0
				for k := range diff {
					diff[k] = x[i][k] - x[j][k]
					d2 += diff[k] * diff[k]
				}
				d2 = math.Max(d2, 1e-12)
				w := math.Pow(d2, -(s+2)/2)
				for k := range diff {
					force[i][k] += w * diff[k]
					force[j][k] -= w * diff[k]
				}
			}
		}
		for i := range force {
			// Keep the tangential part only.
			p := dot(force[i], x[i])
			for k := range force[i] {
				force[i][k] -= p * x[i][k]
			}
			maxF = math.Max(maxF, norm(force[i]))
		}
		if maxF == 0 {
			break
		}
		step := 0.1 * (1 - float64(it)/float64(iters)) / maxF
		for i := range x {
			for k := range x[i] {
				x[i][k] += step * force[i][k]
			}
			normalize(x[i])
		}
	}
	return x
}

func dot(a, b []float64) float64 {
	s := 0.0
	for k := range a {
		s += a[k] * b[k]
	}
	return s
}

func normalize(a []float64) {
	n := norm(a)
	if n == 0 {
		a[0] = 1
		return
	}
	for k := range a {
		a[k] /= n
	}
}
