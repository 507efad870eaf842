package latent

import (
	"math"
	"testing"
)

func TestCalibrate(t *testing.T) {
	// 20 scores 0.05, 0.10, ..., 1.00: 95% inside is the 19th, 0.95.
	s := make([]float64, 20)
	for i := range s {
		s[i] = float64(i+1) * 0.05
	}
	c, err := Calibrate(s, 0.95, "test", RuleFor(0))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Threshold-0.95) > 1e-12 || c.N != 20 || c.Score != CalibrationScore || c.On != "test" {
		t.Fatalf("calibration %+v, want threshold 0.95 of 20", c)
	}
	if c.Outside(0.95) || !c.Outside(0.951) || !c.Outside(math.NaN()) || !c.Outside(math.Inf(1)) {
		t.Errorf("Outside around the threshold 0.95 is wrong")
	}
	var none *Calibration
	if none.Outside(100) {
		t.Errorf("an uncalibrated run marks a score outside")
	}
	// 90% of 20: the 18th.
	if c, _ := Calibrate(s, 0.9, "", RuleFor(0)); math.Abs(c.Threshold-0.9) > 1e-12 {
		t.Errorf("TPR 0.9: threshold %v, want 0.9", c.Threshold)
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
