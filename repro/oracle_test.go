package repro

import (
	"math"
	"strings"
	"testing"
)

// TestOracleVerdicts: a report of ce and the oracle alone says "not
// tested" for the comparisons with the default (no NaN), and states the
// ceiling with its mean figures; a full report adds the ceiling to the
// four verdicts.
func TestOracleVerdicts(t *testing.T) {
	oracle := func(split int, auroc, tpr, unk, known float64) *OpenSetRun {
		return &OpenSetRun{Split: split, Method: OracleMethod, Scores: map[string]OpenSetScore{ScoreOracleMass: {AUROC: auroc, TPRAt5FPR: tpr}},
			ScoreOutside: map[string][2]float64{ScoreOracleMass: {unk, known}}}
	}
	ce := &OpenSetRun{Split: 1, Method: "ce", Accuracy: 0.9, Scores: map[string]OpenSetScore{ScoreMSP: {AUROC: 0.7}, ScoreMLS: {AUROC: 0.6}}}
	res := &OpenSetResult{Runs: []*OpenSetRun{ce, oracle(1, 0.98, 0.9, 0.92, 0.06), oracle(2, 0.96, 0.8, 0.82, 0.04)}}
	v := strings.Join(OpenSetVerdicts(res), "\n")
	if !strings.Contains(v, "not tested") || strings.Contains(v, "NaN") || strings.Contains(v, "Inf") {
		t.Errorf("partial report's verdicts:\n%s", v)
	}
	if !strings.Contains(v, "AUROC 0.970, TPR@5%FPR 0.850, calibrated outside 87.0% of the unknown and 5.0% of the known") {
		t.Errorf("ceiling verdict:\n%s", v)
	}
	def := &OpenSetRun{Split: 1, Method: "ce+g distance", Accuracy: 0.9, Scores: map[string]OpenSetScore{ScoreMSPNorm: {AUROC: 0.75}}}
	res.Runs = append(res.Runs, def)
	if got := OpenSetVerdicts(res); len(got) != 5 || !strings.Contains(got[4], "detection ceiling") {
		t.Errorf("full report's verdicts: %q", got)
	}
	res.Runs = []*OpenSetRun{ce, def}
	if got := OpenSetVerdicts(res); len(got) != 4 {
		t.Errorf("without the oracle: %d verdicts, want 4", len(got))
	}
}

// TestFitLogistic: on symmetric, separable 1-D data the probe orders the
// points, puts the boundary at 0 (bias 0 by symmetry) and scores the
// positives above 0 (Adam steps amplify rounding: the bias within 1e-4).
func TestFitLogistic(t *testing.T) {
	x := []float32{-2, -1, 1, 2}
	y := []bool{false, false, true, true}
	p := fitLogistic(x, y, 1, 1e-3, 200)
	s := p.scores([]float32{-2, -1, 1, 2})
	if !(s[0] < s[1] && s[1] < 0 && 0 < s[2] && s[2] < s[3]) {
		t.Errorf("scores %v, want increasing with the sign of x", s)
	}
	if math.Abs(p.b) > 1e-4 || p.w[0] <= 0 {
		t.Errorf("w %v b %v, want w > 0 and b 0", p.w, p.b)
	}
	// the standardisation: mean 0, sd sqrt(2.5)
	if math.Abs(p.mean[0]) > 1e-12 || math.Abs(p.sd[0]-math.Sqrt(2.5)) > 1e-12 {
		t.Errorf("mean %v sd %v", p.mean, p.sd)
	}
}
