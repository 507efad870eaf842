package search

import (
	"fmt"
	"math"
)

// MaxWeight is the largest weight a text query's blend accepts ("0.7 A +
// 0.3 B"): weights are relative, and bounding them keeps their sum and
// every normalised weight exact enough in float64 (1e308 + 1e308 would
// overflow to +Inf and rank the wrong records, silently).
const MaxWeight = 1e6

// checkWeight validates one parsed weight of query q (as written: s).
func checkWeight(x float64, s, q string) error {
	switch {
	case math.IsNaN(x) || x < 0 || math.IsInf(x, 0):
		return fmt.Errorf("text query: weight %s in %q must be a non-negative number", s, q)
	case x > MaxWeight:
		return fmt.Errorf("text query: weight %s in %q is over the limit of %g (weights are relative: \"0.7 A + 0.3 B\")", s, q, MaxWeight)
	}
	return nil
}

// checkBlend refuses a resolved blend whose weights are not finite or sum
// to nothing, so that no query is answered from an overflowed point.
func checkBlend(w []float64, text string) error {
	sum := 0.0
	for _, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			return fmt.Errorf("text query %q: a weight is not a finite non-negative number", text)
		}
		sum += x
	}
	if !(sum > 0) || math.IsInf(sum, 0) {
		return fmt.Errorf("text query %q: the weights sum to %v; give finite weights of at most %g", text, sum, MaxWeight)
	}
	return nil
}
