package latent

import "math"

// OutsideScore is how far an encoding lies from the configured clusters:
// the distance to the nearest centre divided by that centre's radius r_c
// (at most 1: within r_c of a centre; above R_d / r_c: outside the
// configured space, v all zero), and that centre's index (ties: the lower
// index). It is lsconf's per-image open-set score (docs/search.md); NaN
// coordinates give +Inf. It does not validate z's dimension beyond the
// layout's.
func (l *Layout) OutsideScore(z []float64) (score float64, nearest int) {
	score = math.Inf(1)
	for i, c := range l.centers {
		s := dist(z, c) / l.radii[i]
		if s < score {
			score, nearest = s, i
		}
	}
	return score, nearest
}

// OutsideScore32 is OutsideScore of a float32 encoding.
func (l *Layout) OutsideScore32(z []float32) (score float64, nearest int) {
	zz := make([]float64, len(z))
	for i, x := range z {
		zz[i] = float64(x)
	}
	return l.OutsideScore(zz)
}
