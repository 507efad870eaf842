package latent

import (
	"math"
	"testing"
)

func TestCalibrate(t *testing.T) {
	// 20 scores 0.05, 0.10, ..., 1.00: the conformal 95% threshold is
	// the ceil(21 x 0.95) = 20th, 1.00 (the empirical quantile would be
	// the 19th, 0.95).
	s := make([]float64, 20)
	for i := range s {
		s[i] = float64(i+1) * 0.05
	}
	c, err := Calibrate(s, 0.95, "test", RuleFor(0))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Threshold-1) > 1e-12 || c.N != 20 || c.Score != CalibrationScore || c.On != "test" {
		t.Fatalf("calibration %+v, want threshold 1.00 of 20", c)
	}
	if c.Outside(1) || !c.Outside(1.001) || !c.Outside(math.NaN()) || !c.Outside(math.Inf(1)) {
		t.Errorf("Outside around the threshold 1 is wrong")
	}
	var none *Calibration
	if none.Outside(100) {
		t.Errorf("an uncalibrated run marks a score outside")
	}
	// 90% of 20: the ceil(21 x 0.9) = 19th.
	if c, _ := Calibrate(s, 0.9, "", RuleFor(0)); math.Abs(c.Threshold-0.95) > 1e-12 {
		t.Errorf("TPR 0.9: threshold %v, want 0.95", c.Threshold)
	}
	// 80% of 19: the ceil(20 x 0.8) = 16th; the empirical quantile would be
	// the ceil(15.2) = 16th too, while 80% of 20 is the 17th (not the 16th).
	if c, _ := Calibrate(s[:19], 0.8, "", RuleFor(0)); math.Abs(c.Threshold-0.8) > 1e-12 {
		t.Errorf("TPR 0.8 of 19: threshold %v, want 0.8", c.Threshold)
	}
	if c, _ := Calibrate(s, 0.8, "", RuleFor(0)); math.Abs(c.Threshold-0.85) > 1e-12 {
		t.Errorf("TPR 0.8 of 20: threshold %v, want 0.85 (the ceil(16.8) = 17th)", c.Threshold)
	}
	if _, err := Calibrate(nil, 0.95, "", RuleFor(0)); err == nil {
		t.Errorf("no scores accepted")
	}
	if _, err := Calibrate(s, 0, "", RuleFor(0)); err == nil {
		t.Errorf("TPR 0 accepted")
	}
	if _, err := Calibrate([]float64{1, math.Inf(1)}, 0.95, "", RuleFor(0)); err == nil {
		t.Errorf("a threshold at +Inf accepted")
	}
}
