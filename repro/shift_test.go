package repro

import (
	"strings"
	"testing"
)

// shiftRunOf is a run with clean accuracy clean and the given accuracy on
// each of two kinds (one severity each).
func shiftRunOf(loss string, seed uint64, clean, noise, blur float64) ShiftRunResult {
	return ShiftRunResult{Loss: loss, Seed: seed, Sets: []ShiftSetResult{
		{Set: "clean", Kind: "clean", Acc: clean}, {Set: "noise-1", Kind: "noise", Severity: 1, Acc: noise}, {Set: "blur-1", Kind: "blur", Severity: 1, Acc: blur}}}
}

// TestShiftVerdicts checks the study's rule on made-up runs: a loss 2
// points better under shift in every seed at equal clean accuracy is
// supported; one better only on one kind is partly; one worse everywhere
// is refuted; a single seed is not tested.
func TestShiftVerdicts(t *testing.T) {
	var runs []ShiftRunResult
	for s := uint64(1); s <= 3; s++ {
		d := 0.001 * float64(s) // seed noise
		runs = append(runs,
			shiftRunOf("ce", s, 0.90+d, 0.50+d, 0.60+d),
			shiftRunOf("better", s, 0.90+d, 0.52+d, 0.62+d),    // +2 points on both kinds
			shiftRunOf("one-kind", s, 0.90+d, 0.53+d, 0.56+d),  // +3 on noise, -4 on blur
			shiftRunOf("worse", s, 0.899+d, 0.49+d, 0.59+d),    // -1 everywhere
			shiftRunOf("lessclean", s, 0.88+d, 0.53+d, 0.63+d)) // +3 under shift, -2 clean
	}
	runs = append(runs, shiftRunOf("single", 1, 0.9, 0.6, 0.7))
	rep := &ShiftReport{Config: ShiftConfig{Baseline: "ce"}, Runs: runs}
	rep.summarise()
	want := map[string]string{"better": "supported", "one-kind": "partly", "worse": "refuted", "lessclean": "partly", "single": "not tested"}
	for _, l := range rep.Losses {
		if l.Loss == "ce" {
			if l.Verdict != "" || l.Clean.N != 3 {
				t.Errorf("baseline %+v", l)
			}
			continue
		}
		if l.Verdict != want[l.Loss] {
			t.Errorf("%s: verdict %q (%s), want %q", l.Loss, l.Verdict, l.Evidence, want[l.Loss])
		}
	}
	for _, l := range rep.Losses {
		if l.Loss == "better" && (l.VsBase.MeanCorrupted < 1.99 || l.VsBase.MeanCorrupted > 2.01 || !l.VsBase.AllSeedsBetter) {
			t.Errorf("better: %+v", l.VsBase)
		}
		if l.Loss == "one-kind" && !strings.Contains(l.Evidence, "noise +3.0") {
			t.Errorf("one-kind evidence %q lacks the noise gain", l.Evidence)
		}
	}
	if rep.Verdict != "supported" || !strings.Contains(rep.Reason, "better") {
		t.Errorf("overall %q: %s", rep.Verdict, rep.Reason)
	}
}
