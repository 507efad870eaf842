package search

import (
	"math"
	"math/rand/v2"

	"github.com/lsconf/lsconf/latent"
)

// SyntheticZ returns n encodings (n x n_d, row-major) spread like a trained
// configured LS: 70% around a random centre (Gaussian, sigma 0.8 r_c per
// axis, so most points lie inside the cluster), 20% on the segment between
// two random centres (with sigma 0.1 noise), 10% uniform in the box
// [-1.5 d_c, 1.5 d_c]^n_d (near the origin, between everything, outside).
// Deterministic for a seed.
func SyntheticZ(l *latent.Layout, n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	nc, nd := l.NC(), l.ND()
	cs := l.Centers()
	box := 1.5 * l.MaxCenterNorm()
	z := make([]float32, n*nd)
	for i := 0; i < n; i++ {
		row := z[i*nd : (i+1)*nd]
		switch u := rng.Float64(); {
		case u < 0.7:
			c := rng.IntN(nc)
			s := 0.8 * l.Radius(c)
			for k := range row {
				row[k] = float32(cs[c][k] + s*rng.NormFloat64())
			}
		case u < 0.9:
			a, b := rng.IntN(nc), rng.IntN(nc)
			t := rng.Float64()
			for k := range row {
				row[k] = float32((1-t)*cs[a][k] + t*cs[b][k] + 0.1*rng.NormFloat64())
			}
		default:
			for k := range row {
				row[k] = float32(box * (2*rng.Float64() - 1))
			}
		}
	}
	return z
}

// VOf computes the v vectors (n x n_c) of n encodings with l.
func VOf(l *latent.Layout, z []float32) []float32 {
	nc, nd := l.NC(), l.ND()
	n := len(z) / nd
	v := make([]float32, n*nc)
	for i := 0; i < n; i++ {
		l.V32(z[i*nd:(i+1)*nd], v[i*nc:(i+1)*nc])
	}
	return v
}

// nonzeroShare is the mean fraction of non-zero v entries (diagnostics).
func nonzeroShare(v []float32) float64 {
	nz := 0
	for _, x := range v {
		if x != 0 {
			nz++
		}
	}
	return float64(nz) / math.Max(float64(len(v)), 1)
}
