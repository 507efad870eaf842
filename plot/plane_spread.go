package plot

import "math"

// spreadAxes improves the plane (u, v) for the centres by gradient descent
// on the energy sum over centre pairs of 1/(d_ij^2 + eps), d_ij the
// projected distance, keeping u and v orthonormal. It returns the plane
// with the largest smallest projected distance seen, which is the input
// when no step improved it. Deterministic: no randomness.
func spreadAxes(centres [][]float64, u, v []float64) ([]float64, []float64) {
	n := len(centres)
	if n < 3 {
		return u, v
	}
	nd := len(u)
	// Pairwise differences, scaled so the largest is 1.
	var diffs [][]float64
	big := 0.0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			d := sub(centres[i], centres[j])
			big = math.Max(big, math.Sqrt(dot(d, d)))
			diffs = append(diffs, d)
		}
	}
	if big == 0 {
		return u, v
	}
	for k := range diffs {
		diffs[k] = scale(diffs[k], 1/big)
	}
	minDist := func(u, v []float64) float64 {
		m := math.Inf(1)
		for _, d := range diffs {
			a, b := dot(d, u), dot(d, v)
			m = math.Min(m, a*a+b*b)
		}
		return math.Sqrt(m)
	}
	bestU, bestV, best := u, v, minDist(u, v)
	const eps = 1e-3
	step := 0.05
	gu, gv := make([]float64, nd), make([]float64, nd)
	// About 2e8 multiply-adds at most: fewer iterations for big layouts.
	iters := min(400, max(50, int(2e8/float64(len(diffs)*nd*4))))
	for it := 0; it < iters; it++ {
		for i := range gu {
			gu[i], gv[i] = 0, 0
		}
		for _, d := range diffs {
			a, b := dot(d, u), dot(d, v)
			w := a*a + b*b + eps
			g := -2 / (w * w) // dE/d(d^2)
			for i := range d {
				gu[i] += g * a * d[i]
				gv[i] += g * b * d[i]
			}
		}
		// Project the gradient on the tangent space (drop components along
		// u and v) and take a normalised step downhill.
		gu = sub(gu, scale(u, dot(u, gu)))
		gv = sub(gv, scale(v, dot(v, gv)))
		gn := math.Sqrt(dot(gu, gu) + dot(gv, gv))
		if gn < 1e-15 {
			break
		}
		nu := normalize(sub(u, scale(gu, step/gn)))
		if nu == nil {
			break
		}
		nv := sub(v, scale(gv, step/gn))
		nv = normalize(sub(nv, scale(nu, dot(nu, nv))))
		if nv == nil {
			break
		}
		u, v = nu, nv
		if m := minDist(u, v); m > best {
			bestU, bestV, best = u, v, m
		}
		if it%(iters/4) == iters/4-1 {
			step /= 2
		}
	}
	return fixSign(bestU), fixSign(bestV)
}
