package latent

import (
	"fmt"
	"math"
)

// vOf is eq 12 for one distance d to a centre of radius r.
func (l *Layout) vOf(d, r float64) float64 {
	if d <= r {
		return 1 - l.kb*math.Sin(d/r)
	}
	return math.Max(l.bc*(l.rd-d)/(l.rd-r), 0)
}

// V returns the class similarity vector v of an encoding (eq 11-14): one
// entry per class, 1 at the centre, b_c on the cluster boundary, falling
// linearly to 0 at distance R_d.
func (l *Layout) V(z []float64) ([]float64, error) {
	if err := l.checkPoint(z); err != nil {
		return nil, fmt.Errorf("similarity vector: %w", err)
	}
	v := make([]float64, l.NC())
	for i, c := range l.centers {
		v[i] = l.vOf(dist(z, c), l.radii[i])
	}
	return v, nil
}

// V32 writes the class similarity vector of a float32 encoding into dst
// (len n_c), computing in float64. It does not validate its input: NaN or
// Inf coordinates give a zero vector. It is the hot path of indexing.
func (l *Layout) V32(z []float32, dst []float32) {
	for i, c := range l.centers {
		s := 0.0
		for k, x := range z {
			d := float64(x) - c[k]
			s += d * d
		}
		v := l.vOf(math.Sqrt(s), l.radii[i])
		if math.IsNaN(v) {
			v = 0
		}
		dst[i] = float32(v)
	}
}

// Sim is the similarity of two class similarity vectors (eq 15):
// sum_i min(v1_i, v2_i) / max(sum v1, sum v2). When both sums are 0, both
// points are outside every cluster's reach and Sim returns 0 (see SimOK).
// It panics if the vectors differ in length.
func Sim(v1, v2 []float64) float64 {
	s, _ := SimOK(v1, v2)
	return s
}

// SimOK is Sim that also reports whether the similarity is defined: ok is
// false when both v sums are 0 (0/0 in eq 15), in which case sim is 0.
func SimOK(v1, v2 []float64) (sim float64, ok bool) {
	if len(v1) != len(v2) {
		panic(fmt.Sprintf("latent.Sim: vectors of length %d and %d", len(v1), len(v2)))
	}
	var num, s1, s2 float64
	for i := range v1 {
		num += math.Min(v1[i], v2[i])
		s1 += v1[i]
		s2 += v2[i]
	}
	den := math.Max(s1, s2)
	if den == 0 {
		return 0, false
	}
	return num / den, true
}

// Sim32 is Sim on float32 vectors, accumulating in float32 (the search
// scan's arithmetic). Both sums 0 gives 0.
func Sim32(v1, v2 []float32) float32 {
	var num, s1, s2 float32
	for i := range v1 {
		a, b := v1[i], v2[i]
		num += min(a, b)
		s1 += a
		s2 += b
	}
	den := max(s1, s2)
	if den == 0 {
		return 0
	}
	return num / den
}

// Outside reports whether a similarity vector is all zero: the point is
// farther than R_d from every centre, outside the configured space.
func Outside(v []float64) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// Classify returns the nearest cluster's label for an encoding and whether
// the point is outside the configured space (its v vector is all zero).
// The label is the class with the largest v; when v is all zero it is the
// class of the nearest centre (ties: the nearer centre, then the lower
// index).
func (l *Layout) Classify(z []float64) (label int, outside bool, err error) {
	if err := l.checkPoint(z); err != nil {
		return 0, false, fmt.Errorf("classify: %w", err)
	}
	best, bestV, bestD := 0, -1.0, math.Inf(1)
	for i, c := range l.centers {
		d := dist(z, c)
		v := l.vOf(d, l.radii[i])
		if v > bestV || (v == bestV && d < bestD) {
			best, bestV, bestD = i, v, d
		}
	}
	return best, bestV == 0, nil
}
