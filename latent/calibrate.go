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

// CalibrationScore names the score of a Calibration that does not name
// one (thresholds calibrated before the score was recorded): OutsideScore,
// the distance to the nearest centre over its r_c.
const CalibrationScore = ScoreDistRc

// OpenSetRule names lsconf's open-set score of a run: DefaultDistanceScore
// for a distance head with a fixed scale (HeadScale > 0), ScoreDistRc for
// the dense head, a learned scale and an empty Score.
type OpenSetRule struct {
	// Score is ScoreDistRc or DefaultDistanceScore ("" reads as
	// ScoreDistRc).
	Score string `json:"score"`
	// HeadScale is the distance head's scale s the score uses (0 for
	// ScoreDistRc).
	HeadScale float64 `json:"head_scale,omitempty"`
}

// DefaultDistanceScore is the open-set score of runs with the distance
// head: ScoreMSPNorm, measured best of the scores from z and the layout
// (docs/openset).
const DefaultDistanceScore = ScoreMSPNorm

// RuleFor is the open-set rule of a run whose distance head has the fixed
// scale s (0: dense head or learned scale, ScoreDistRc).
func RuleFor(s float64) OpenSetRule {
	if s > 0 {
		return OpenSetRule{Score: DefaultDistanceScore, HeadScale: s}
	}
	return OpenSetRule{Score: ScoreDistRc}
}

// Name is the rule's score name (ScoreDistRc when empty).
func (r OpenSetRule) Name() string {
	if r.Score == "" {
		return ScoreDistRc
	}
	return r.Score
}

// Validate reports a rule lsconf cannot compute.
func (r OpenSetRule) Validate() error {
	switch r.Name() {
	case ScoreDistRc:
		return nil
	case DefaultDistanceScore:
		if !(r.HeadScale > 0) || math.IsInf(r.HeadScale, 0) {
			return fmt.Errorf("open-set score %q needs a head scale > 0, not %v", r.Score, r.HeadScale)
		}
		return nil
	}
	return fmt.Errorf("unknown open-set score %q", r.Score)
}

// Of is the rule's score of z in layout l (higher: more likely unknown;
// NaN coordinates give +Inf). An unknown score name is ScoreDistRc.
func (r OpenSetRule) Of(l *Layout, z []float64) float64 {
	if r.Name() == DefaultDistanceScore && r.HeadScale > 0 {
		return l.MSPNormScore(z, r.HeadScale)
	}
	s, _ := l.OutsideScore(z)
	return s
}

// Of32 is Of of a float32 encoding.
func (r OpenSetRule) Of32(l *Layout, z []float32) float64 {
	zz := make([]float64, len(z))
	for i, x := range z {
		zz[i] = float64(x)
	}
	return r.Of(l, zz)
}

// Calibration is an outside threshold on an open-set score (its
// OpenSetRule) calibrated on
// held-out images of the known classes: an encoding whose score is above
// Threshold is outside (an unknown input), and a share TPR of the
// calibration images was at or below it. It extends the configured
// space's own outside (v all zero: beyond R_d of every centre), which
// almost no encoding reaches.
type Calibration struct {
	// OpenSetRule is the score the threshold is for; files without it
	// read as ScoreDistRc.
	OpenSetRule
	// TPR is the share of the calibration images inside (at or below the
	// threshold), N their number and On what they were ("test": the
	// run's held-out test split).
	TPR       float64 `json:"tpr"`
	Threshold float64 `json:"threshold"`
	N         int     `json:"n"`
	On        string  `json:"calibrated_on"`
}

// Calibrate returns the conformal threshold of the scores (rule.Of of n
// held-out known images; +Inf and NaN count as above any threshold): the
// ceil((n+1) tpr)-th smallest (the largest when that exceeds n), so that
// a new image exchangeable with them scores at or below it with
// probability at least tpr, rather than the share tpr of the held-out
// images alone (the empirical quantile, which thresholds made before
// recorded; a few images lower).
func Calibrate(scores []float64, tpr float64, on string, rule OpenSetRule) (Calibration, error) {
	if err := rule.Validate(); err != nil {
		return Calibration{}, fmt.Errorf("calibrate: %w", err)
	}
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
	k := int(math.Ceil(tpr*float64(len(s)+1)-1e-9)) - 1
	k = min(max(k, 0), len(s)-1)
	if math.IsInf(s[k], 1) {
		return Calibration{}, fmt.Errorf("calibrate: %d of %d held-out encodings are not finite", len(s)-k, len(s))
	}
	return Calibration{OpenSetRule: rule, TPR: tpr, Threshold: s[k], N: len(s), On: on}, nil
}

// Rule is the score the calibration thresholds; a nil Calibration's is
// ScoreDistRc.
func (c *Calibration) Rule() OpenSetRule {
	if c == nil {
		return OpenSetRule{Score: ScoreDistRc}
	}
	return c.OpenSetRule
}

// OutsideZ is IsOutside of encoding z in layout l, scored by the
// calibration's own rule (so that a threshold is never applied to another
// score).
func (c *Calibration) OutsideZ(l *Layout, z []float64, vZero bool) bool {
	if vZero {
		return true
	}
	return c != nil && c.Outside(c.Rule().Of(l, z))
}

// Outside reports whether an encoding whose score (by the calibration's
// Rule) is score is outside under the calibration; a nil Calibration says false (only v
// all zero is outside then).
func (c *Calibration) Outside(score float64) bool {
	return c != nil && !(score <= c.Threshold)
}

// IsOutside is the one rule of lsconf's outside flag: an encoding outside
// the configured space (vZero: v all zero, eq 12), or, under a calibration
// (c not nil), one whose score by c.Rule() is above the calibrated threshold.
func IsOutside(c *Calibration, vZero bool, score float64) bool {
	return vZero || c.Outside(score)
}
