package latent

import (
	"encoding/json"
	"math"
	"testing"
)

// TestOpenSetScoresByHand checks the open-set scores on a two-class
// layout against values worked out by hand: centres (1, 0) and (-1, 0),
// radii 0.5 and 1, z = (0.5, 0): d = (0.5, 1.5), d/r = (1, 1.5).
func TestOpenSetScoresByHand(t *testing.T) {
	l, err := New([][]float64{{1, 0}, {-1, 0}}, []float64{0.5, 1}, 0.79)
	if err != nil {
		t.Fatal(err)
	}
	z := []float64{0.5, 0}
	// logits -0.25 (1)^2 and -0.25 (1.5)^2: MSP = e^-0.3125 / (1 + e^-0.3125)
	const msp = 0.42250463481418826
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %.12g, want %.12g", name, got, want)
		}
	}
	near("DistanceMSP", l.DistanceMSP(z, 0.25), msp)
	// d_c = 1, |z| = 0.5
	near("MSPNormScore", l.MSPNormScore(z, 0.25), 2*msp)
	// softmin(1, 1.5) = (0.6225, 0.3775): min(1 (1 - 0.6225), 1.5 (1 - 0.3775))
	near("CACScore", l.CACScore(z), 1-1/(1+math.Exp(-0.5)))
	near("rule, distance head", RuleFor(0.25).Of(l, z), 2*msp)
	near("rule, dense head", RuleFor(0).Of(l, z), 1)
	near("rule, empty score", OpenSetRule{}.Of(l, z), 1)
	if s := l.MSPNormScore([]float64{math.NaN(), 0}, 0.25); !math.IsInf(s, 1) {
		t.Errorf("NaN encoding: score %v, want +Inf", s)
	}
	// equidistant from both centres: the head is as unsure as it can be
	near("DistanceMSP at the midpoint of equal radii", mustNew(t).DistanceMSP([]float64{0, 0.3}, 1), 0.5)
}

func mustNew(t *testing.T) *Layout {
	t.Helper()
	l, err := New([][]float64{{1, 0}, {-1, 0}}, []float64{0.5, 0.5}, 0.79)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCalibrationRoundTrip calibrates on the distance head's score, writes
// the threshold as JSON and reads it back: the score and scale survive, the
// outside flag uses them, and a file without a score reads as dist/r_c.
func TestCalibrationRoundTrip(t *testing.T) {
	l := mustNew(t)
	rule := RuleFor(0.25)
	var zs [][]float64
	var scores []float64
	for i := range 20 {
		z := []float64{1 - 0.05*float64(i), 0.01 * float64(i)}
		zs = append(zs, z)
		scores = append(scores, rule.Of(l, z))
	}
	c, err := Calibrate(scores, 0.9, "validation", rule)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Calibration
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != c || back.Score != ScoreMSPNorm || back.HeadScale != 0.25 {
		t.Fatalf("round trip %s: %+v, want %+v", b, back, c)
	}
	out := 0
	for _, z := range zs {
		if back.OutsideZ(l, z, false) {
			out++
		}
	}
	if out != 1 { // the conformal 90% threshold of 20: the 19th smallest
		t.Errorf("%d of 20 calibration encodings outside at 90%% inside, want 1", out)
	}
	// an old file: no score; its threshold is on dist/r_c
	var old Calibration
	if err := json.Unmarshal([]byte(`{"tpr":0.95,"threshold":1.5,"n":10,"calibrated_on":"test"}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Rule().Name() != ScoreDistRc || old.Rule().Validate() != nil {
		t.Fatalf("old threshold reads as %q", old.Rule().Name())
	}
	// (0.2, 0): dist/r_c 1.6 > 1.5 (outside), though its MSP·d_c/|z| is other
	if !old.OutsideZ(l, []float64{0.2, 0}, false) || old.OutsideZ(l, []float64{0.5, 0}, false) {
		t.Errorf("an old threshold is not applied to dist/r_c")
	}
	if err := (OpenSetRule{Score: ScoreMSPNorm}).Validate(); err == nil {
		t.Errorf("a distance-head score without a scale validates")
	}
	if err := (OpenSetRule{Score: "nonsense"}).Validate(); err == nil {
		t.Errorf("an unknown score validates")
	}
}
