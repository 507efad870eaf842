package latent

import "math"

// Open-set scores (higher: more likely an unknown input). ScoreDistRc is
// OutsideScore; the others are computed from the distances of z to the
// configured centres as the distance head sees them, logit_k =
// -s (d_k / r_k)^2 with the head's scale s.
const (
	// ScoreDistRc is the distance to the nearest centre over its r_c
	// (OutsideScore): the score of dense-head runs and of thresholds
	// calibrated before the score was recorded.
	ScoreDistRc = "dist/r_c"
	// ScoreDistMSP is the distance head's maximum softmax probability
	// score, 1 - max_k softmax_k(-s (d_k / r_k)^2).
	ScoreDistMSP = "distance MSP"
	// ScoreCAC is CAC's score on the radius-scaled distances u_k = d_k /
	// r_k: min_k u_k (1 - softmin(u)_k).
	ScoreCAC = "CAC"
	// ScoreMSPNorm is ScoreDistMSP times d_c / |z| (d_c: the first
	// centre's distance from the origin): the head's doubt, larger for an
	// encoding near the origin.
	ScoreMSPNorm = "distance MSP·d_c/|z|"
)

// scaledDistances returns d_k / r_k for every centre and the smallest of
// them; ok is false when that is not finite (NaN coordinates).
func (l *Layout) scaledDistances(z []float64) (u []float64, lo float64, ok bool) {
	u = make([]float64, len(l.centers))
	lo = math.Inf(1)
	for i, c := range l.centers {
		u[i] = dist(z, c) / l.radii[i]
		lo = min(lo, u[i])
	}
	return u, lo, !math.IsNaN(lo) && !math.IsInf(lo, 1)
}

// DistanceMSP is ScoreDistMSP of z with the distance head's scale s > 0;
// NaN coordinates give +Inf.
func (l *Layout) DistanceMSP(z []float64, s float64) float64 {
	u, best, ok := l.scaledDistances(z)
	if !ok {
		return math.Inf(1)
	}
	// max softmax = 1 / sum_k exp(logit_k - max logit)
	sum := 0.0
	for _, x := range u {
		sum += math.Exp(-s * (x*x - best*best))
	}
	return 1 - 1/sum
}

// CACScore is ScoreCAC of z; NaN coordinates give +Inf.
func (l *Layout) CACScore(z []float64) float64 {
	u, lo, ok := l.scaledDistances(z)
	if !ok {
		return math.Inf(1)
	}
	sum := 0.0
	for _, x := range u {
		sum += math.Exp(-(x - lo))
	}
	score := math.Inf(1)
	for _, x := range u {
		score = min(score, x*(1-math.Exp(-(x-lo))/sum))
	}
	return score
}

// MSPNormScore is ScoreMSPNorm of z with the head's scale s > 0; NaN
// coordinates give +Inf.
func (l *Layout) MSPNormScore(z []float64, s float64) float64 {
	dc := math.Sqrt(dot(l.centers[0], l.centers[0]))
	n := math.Sqrt(dot(z, z))
	if math.IsNaN(n) || math.IsInf(n, 1) {
		return math.Inf(1)
	}
	return l.DistanceMSP(z, s) * dc / max(n, 1e-12)
}
