package repro

import (
	"strings"
	"testing"
)

// TestOpenSetVerdictsNotTested: a report without the default method (or
// without ce) says its verdicts were not tested instead of printing NaN.
func TestOpenSetVerdictsNotTested(t *testing.T) {
	res := &OpenSetResult{Runs: []*OpenSetRun{{Split: 1, Method: "ce", Accuracy: 0.9, Scores: map[string]OpenSetScore{ScoreMSP: {AUROC: 0.7}}}}}
	vs := OpenSetVerdicts(res)
	if len(vs) != 1 || !strings.Contains(vs[0], "not tested") || strings.Contains(strings.Join(vs, " "), "NaN") {
		t.Errorf("verdicts without the default method: %q", vs)
	}
	res.Runs = append(res.Runs, &OpenSetRun{Split: 1, Method: "ce+g distance", Accuracy: 0.9, Scores: map[string]OpenSetScore{ScoreMSPNorm: {AUROC: 0.75}}})
	if vs := OpenSetVerdicts(res); len(vs) != 4 || strings.Contains(strings.Join(vs, " "), "not tested") {
		t.Errorf("verdicts with both methods: %q", vs)
	}
}
