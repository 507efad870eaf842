package repro

import (
	"strings"
	"testing"

	"github.com/lsconf/lsconf/model"
)

// Verdict (3) states both readings: with no point outside (lenient holds)
// but only half of the generalization points within r_c of their own
// centre, the claim is only partly supported, and the heading says why.
func TestVerdictInsideStrictReading(t *testing.T) {
	l := paperLayout(t)
	seeds := []uint64{1, 2, 3}
	runs := fakeGrid(l, []float64{0.80, 0.82, 0.81}, []float64{0.70, 0.85, 0.75})
	for _, r := range runs {
		if r.Experiment.Mode == model.ModeCEG {
			r.Gen.Conformance.WithinRc = 0.5
			r.Gen.Conformance.Outside = 0
		}
	}
	v := verdictOf(t, Verdicts(runs, seeds, l), "Generalization points")
	if v.Outcome != Partly || !strings.Contains(v.Evidence[0], "Lenient reading") || !strings.Contains(v.Evidence[1], "Strict reading") ||
		!strings.Contains(v.Evidence[1], "50.0–50.0%") || !strings.Contains(v.Evidence[1], "in 0 of 6") {
		t.Errorf("strict reading: %+v", v)
	}
	h := verdictHeading(2, v, Config{LGReduction: "mean", LGCenter: 1})
	for _, want := range []string{"(3) Generalization points", "PARTLY", "none outside (v = 0) in 6 of 6 runs", "at least 80% in 0 of 6 runs", "centre pull 1", "L_G averaged"} {
		if !strings.Contains(h, want) {
			t.Errorf("heading %q lacks %q", h, want)
		}
	}
	if p := polarNote(Config{}); p != "polar runs: none" {
		t.Errorf("polar note without polar runs: %q", p)
	}
}
