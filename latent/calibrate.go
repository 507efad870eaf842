package latent

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// DefaultCalibrationTPR is the share of held-out images of the known
// classes that a calibrated outside threshold keeps inside.
const DefaultCalibrationTPR = 0.95

// CalibrationScore names the score a Calibration thresholds: OutsideScore,
// the distance to the nearest centre over its r_c.
const CalibrationScore = "dist/r_c"

// Calibration is an outside threshold on OutsideScore calibrated on
// held-out images of the known classes: an encoding whose score is above
// Threshold is outside (an unknown input), and a share TPR of the
// calibration images was at or below it. It extends the configured
// space's own outside (v all zero: beyond R_d of every centre), which
// almost no encoding reaches.
type Calibration struct {
	// Score is CalibrationScore.
	Score string `json:"score"`
	// TPR is the share of the calibration images inside (at or below the
	// threshold), N their number and On what they were ("test": the
	// run's held-out test split).
	TPR       float64 `json:"tpr"`
	Threshold float64 `json:"threshold"`
	N         int     `json:"n"`
	On        string  `json:"calibrated_on"`
}

// Calibrate returns the smallest threshold that keeps at least a share tpr
// of the scores at or below it (scores from OutsideScore of held-out
// known images; +Inf and NaN count as above any threshold).
func Calibrate(scores []float64, tpr float64, on string) (Calibration, error) {
	if !(tpr > 0 && tpr <= 1) {
		return Calibration{}, fmt.Errorf("calibrate: true-positive rate %v outside (0, 1]", tpr)
	}
	if len(scores) == 0 {
		return Calibration{}, errors.New("calibrate: no held-out images")
	}
	s := make([]float64, 0, len(scores))
	for _, x := range scores {
		if math.IsNaN(x) {
			x = math.Inf(1)
		}
		s = append(s, x)
	}
	slices.Sort(s)
	k := int(math.Ceil(tpr*float64(len(s))-1e-9)) - 1
	k = min(max(k, 0), len(s)-1)
	if math.IsInf(s[k], 1) {
		return Calibration{}, fmt.Errorf("calibrate: %d of %d held-out encodings are not finite", len(s)-k, len(s))
	}
	return Calibration{Score: CalibrationScore, TPR: tpr, Threshold: s[k], N: len(s), On: on}, nil
}

// Outside reports whether an encoding whose OutsideScore is score is
// outside under the calibration; a nil Calibration says false (only v
// all zero is outside then).
func (c *Calibration) Outside(score float64) bool {
	return c != nil && !(score <= c.Threshold)
}

// IsOutside is the one rule of lsconf's outside flag: an encoding outside
// the configured space (vZero: v all zero, eq 12), or, under a calibration
// (c not nil), one whose OutsideScore is above the calibrated threshold.
func IsOutside(c *Calibration, vZero bool, score float64) bool {
	return vZero || c.Outside(score)
}
