package repro

import (
	"fmt"
	"math"
	"slices"
)

// Spread summarises a few values: the paper's Table 2 cells are three
// runs, so the mean, the sample standard deviation and the range are all
// a reader can ask of them.
type Spread struct {
	N        int     `json:"n"`
	Mean     float64 `json:"mean"`
	SD       float64 `json:"sd"` // sample standard deviation (n-1); 0 for n < 2
	Min, Max float64
}

// SpreadOf summarises xs (NaN values are left out).
func SpreadOf(xs []float64) Spread {
	var v []float64
	for _, x := range xs {
		if !math.IsNaN(x) {
			v = append(v, x)
		}
	}
	s := Spread{N: len(v)}
	if len(v) == 0 {
		s.Mean, s.SD, s.Min, s.Max = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return s
	}
	for _, x := range v {
		s.Mean += x
	}
	s.Mean /= float64(len(v))
	if len(v) > 1 {
		for _, x := range v {
			s.SD += (x - s.Mean) * (x - s.Mean)
		}
		s.SD = math.Sqrt(s.SD / float64(len(v)-1))
	}
	s.Min, s.Max = slices.Min(v), slices.Max(v)
	return s
}

// Overlaps reports whether the ranges [Min, Max] of a and b intersect.
func (s Spread) Overlaps(o Spread) bool {
	return s.N > 0 && o.N > 0 && s.Min <= o.Max && o.Min <= s.Max
}

// Format writes the spread as "mean ± sd (min-max)" with the given
// number of decimals.
func (s Spread) Format(dec int) string {
	if s.N == 0 {
		return "-"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.*f", dec, s.Mean)
	}
	return fmt.Sprintf("%.*f ± %.*f (%.*f–%.*f)", dec, s.Mean, dec, s.SD, dec, s.Min, dec, s.Max)
}

// median of xs (NaN for none); xs is not changed.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	v := slices.Clone(xs)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// angleDeg is the angle between two 2-D directions in degrees, in [0, 180].
func angleDeg(a, b []float64) float64 {
	if len(a) < 2 || len(b) < 2 {
		return math.NaN()
	}
	d := math.Atan2(b[1], b[0]) - math.Atan2(a[1], a[0])
	d = math.Mod(math.Abs(d), 2*math.Pi)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d * 180 / math.Pi
}
