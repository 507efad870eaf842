package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

// TestReproOpenSetQuick runs "lsconf repro --open-set --quick" end to end
// (one split, four tiny runs on Fashion-MNIST, the last with placeholder
// negatives recorded in its run.json) and checks the report:
// every method's scores in range, OSCR at most the closed-set accuracy,
// the lsconf runs calibrated on the validation images (outside.json), the
// verdicts printed, the ROC figure written.
func TestReproOpenSetQuick(t *testing.T) {
	needFashionMNIST(t)
	out := t.TempDir()
	stdout, err := runCLI(t, "repro", "--open-set", "--quick", "--out", out)
	if err != nil {
		t.Fatalf("repro --open-set --quick: %v\n%s", err, stdout)
	}
	if n := strings.Count(stdout, "target"); n != 4 || !strings.Contains(stdout, "best lsconf score") {
		t.Errorf("printed %d targets (want 4) and the best lsconf score:\n%s", n, stdout)
	}
	dir := filepath.Join(out, repro.OpenSetDir)
	res := readOpenSetResult(t, dir)
	if len(res.Runs) != 4 || len(res.Splits) != 1 || len(res.Splits[0]) != 4 {
		t.Fatalf("%d runs, splits %v", len(res.Runs), res.Splits)
	}
	for _, r := range res.Runs {
		if len(r.Scores) < 2 {
			t.Errorf("%s: scores %v", r.Method, r.Scores)
		}
		for name, s := range r.Scores {
			if s.AUROC < 0 || s.AUROC > 1 || s.FPRAt95TPR < 0 || s.FPRAt95TPR > 1 || s.OSCR < 0 || s.OSCR > r.Accuracy+1e-9 || len(s.ROC) != len(res.ROCGrid) {
				t.Errorf("%s %s: %+v (accuracy %v)", r.Method, name, s, r.Accuracy)
			}
		}
		calibrated := r.Calibration != nil
		if calibrated != strings.HasPrefix(r.Method, "ce+g") {
			t.Errorf("%s: calibration %+v", r.Method, r.Calibration)
		}
		if calibrated {
			if _, err := os.Stat(filepath.Join(dir, r.Dir, train.OutsideFile)); err != nil || r.Calibration.On != "validation" {
				t.Errorf("%s: %v, calibrated on %q", r.Method, err, r.Calibration.On)
			}
			if u := r.UnknownLanding; u == nil || u.Inside+u.NearOrigin+u.Between < 0.999 {
				t.Errorf("%s: unknown landing %+v", r.Method, u)
			}
		}
	}
	for _, f := range []string{"report.md", "roc.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	for _, r := range res.Runs {
		info, err := train.ReadRunInfo(filepath.Join(dir, r.Dir))
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]float64{true: 1, false: 0}[strings.HasSuffix(r.Method, "placeholders")]; info.Config.Placeholders != want {
			t.Errorf("%s: run.json placeholders %v, want %v", r.Method, info.Config.Placeholders, want)
		}
	}
	// --methods runs only those named
	out2 := t.TempDir()
	if stdout, err := runCLI(t, "repro", "--open-set", "--quick", "--methods", "ce", "--out", out2); err != nil {
		t.Fatalf("repro --open-set --quick --methods ce: %v\n%s", err, stdout)
	}
	only := readOpenSetResult(t, filepath.Join(out2, repro.OpenSetDir))
	if len(only.Runs) != 1 || only.Runs[0].Method != "ce" {
		t.Errorf("--methods ce ran %d runs", len(only.Runs))
	}
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--methods", "svm", "--out", out2); err == nil {
		t.Errorf("an unknown method was accepted")
	}
	// --feature-scores re-scores the finished runs with the post-hoc
	// feature scores, in range, every method alike (the combination with
	// the LS score only where the run has it)
	if stdout, err := runCLI(t, "repro", "--open-set", "--quick", "--feature-scores", "--methods", "ce,ce+g distance", "--out", out); err != nil {
		t.Fatalf("repro --open-set --quick --feature-scores: %v\n%s", err, stdout)
	}
	feat := readOpenSetResult(t, dir)
	if len(feat.Runs) != 2 || !feat.Config.FeatureScores {
		t.Fatalf("--feature-scores: %d runs, config %+v", len(feat.Runs), feat.Config)
	}
	for _, r := range feat.Runs {
		for _, name := range []string{repro.ScoreFeatKNN10, repro.ScoreFeatMaha, repro.ScorePooledMaha, repro.ScoreAllKNN10, repro.ScoreZKNN10} {
			s, ok := r.Scores[name]
			if !ok || s.AUROC < 0 || s.AUROC > 1 || s.FPRAt95TPR < 0 || s.FPRAt95TPR > 1 {
				t.Errorf("%s: %s %+v (present %v)", r.Method, name, s, ok)
			}
		}
		if _, ok := r.Scores[repro.ScoreFeatKNNxLS]; ok != (r.Method == "ce+g distance") {
			t.Errorf("%s: has %q: %v", r.Method, repro.ScoreFeatKNNxLS, ok)
		}
		// the fusions: with the LS score where the run has it, else with
		// the MSP (ce's control); none with the reconstruction error (no
		// decoder); each with a threshold calibrated on the validation
		// images
		ls := r.Method == "ce+g distance"
		for name, want := range map[string]bool{repro.ScoreFuseLSKNN: ls, repro.ScoreFuseLSAll: ls, repro.ScoreFuseMSPKNN: !ls, repro.ScoreFuseMSPAll: !ls, repro.ScoreFuseLSRecon: false} {
			s, ok := r.Scores[name]
			if ok != want {
				t.Errorf("%s: has %q: %v, want %v", r.Method, name, ok, want)
				continue
			}
			if ok && (s.AUROC < 0 || s.AUROC > 1 || s.Outside == nil || s.Outside.Known < 0 || s.Outside.Known > 1 || s.Outside.Unknown < 0 || s.Outside.Unknown > 1) {
				t.Errorf("%s: %s %+v, outside %+v", r.Method, name, s, s.Outside)
			}
		}
		if s := r.Scores[repro.ScoreMSP]; s.Outside == nil {
			t.Errorf("%s: MSP has no calibrated outside", r.Method)
		}
		if s, ok := r.Scores[repro.ScoreClassMean]; ok && s.Outside != nil {
			t.Errorf("%s: the class-mean distance, whose means are fitted on the validation images, was calibrated on them", r.Method)
		}
	}
	if md, err := os.ReadFile(filepath.Join(dir, "report.md")); err != nil || !strings.Contains(string(md), repro.ScorePooledMaha) {
		t.Errorf("report.md does not list the feature scores (%v)", err)
	}
}

// TestReproOpenSetVariant runs the variant method alone on the quick
// budget with 2 extra dimensions, d_c 1.7 and rotated placeholder
// negatives: its run.json records the layout (n_d 5 + 2, centres at 1.7,
// the extra coordinates 0) and the negatives, the report carries |z_⊥|
// and TPR@5%FPR in range, and negative settings are refused.
func TestReproOpenSetVariant(t *testing.T) {
	needFashionMNIST(t)
	res, dir := runOpenSetVariant(t, "--extra-dims", "2", "--variant-d-c", "1.7", "--variant-placeholders", "1", "--placeholder-kind", "rotate")
	if res.Config.Variant == nil || res.Config.Variant.ExtraDims != 2 {
		t.Fatalf("variant %+v", res.Config.Variant)
	}
	r := res.Runs[0]
	if !strings.HasSuffix(r.Dir, "ceg-distance-v-x2-dc1.7-ph1rotate") {
		t.Errorf("run folder %s", r.Dir)
	}
	for _, name := range []string{repro.ScoreResidual, repro.ScoreMSPNormSpan, repro.ScoreMSPNormPerClass} {
		s, ok := r.Scores[name]
		if !ok || s.AUROC < 0 || s.AUROC > 1 || s.TPRAt5FPR < 0 || s.TPRAt5FPR > 1 {
			t.Errorf("%s: %+v (present %v)", name, s, ok)
		}
	}
	info, err := train.ReadRunInfo(filepath.Join(dir, r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if l := info.Layout; l.ND() != 7 || l.NC() != 6 {
		t.Errorf("layout n_c %d n_d %d, want 6 and 7", l.NC(), l.ND())
	} else {
		c := l.Center(0)
		norm := 0.0
		for _, x := range c {
			norm += x * x
		}
		if c[5] != 0 || c[6] != 0 || norm < 1.7*1.7-1e-9 || norm > 1.7*1.7+1e-9 {
			t.Errorf("centre 0 %v, want |c| 1.7 and the extra coordinates 0", c)
		}
	}
	if info.Config.Placeholders != 1 || info.Config.PlaceholderKind != "rotate" {
		t.Errorf("run.json placeholders %v %q, want 1 rotate", info.Config.Placeholders, info.Config.PlaceholderKind)
	}
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--extra-dims", "-1", "--out", t.TempDir()); err == nil {
		t.Errorf("--extra-dims -1 was accepted")
	}
}
