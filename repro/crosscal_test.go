package repro

import (
	"math"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// TestCrossCalibrated: each fold's conformal 95% threshold judges the other
// fold's known images, so about 5% of them are outside (here 1 of 40: 39,
// the odd fold's largest, is above the even fold's threshold), held-out images
// above both thresholds are all outside, and an encoding with v all zero
// is outside whatever its score.
func TestCrossCalibrated(t *testing.T) {
	rule := latent.RuleFor(0)
	known := make([]float64, 40)
	vz := make([]bool, 40)
	for i := range known {
		known[i] = float64(i) // even fold 0, 2, ..., 38; odd 1, 3, ..., 39
	}
	held := []float64{100, 101, 0.5, 0.5}
	hvz := []bool{false, false, false, true}
	h, k, ok := crossCalibrated(rule, known, vz, held, hvz)
	if !ok {
		t.Fatal("not computed")
	}
	// fold thresholds: the ceil(21 x 0.95) = 20th of 20, i.e. 38 (even)
	// and 39 (odd); no known image is above the other fold's largest but
	// 39 > 38.
	if math.Abs(k-1.0/40) > 1e-12 {
		t.Errorf("known outside %v, want 1/40", k)
	}
	if math.Abs(h-0.75) > 1e-12 {
		t.Errorf("held-out outside %v, want 3/4", h)
	}
	if _, _, ok := crossCalibrated(rule, []float64{1}, []bool{false}, held, hvz); ok {
		t.Errorf("one known image calibrated two folds")
	}
}
