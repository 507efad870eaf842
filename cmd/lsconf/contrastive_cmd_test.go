package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

// TestReproOpenSetContrastive runs the variant and its ce control with
// the contrastive term on the quick budget: their run folders name the
// weight, run.json records it, both are scored by the contrastive k-NN
// and by their first score + it (in range, with each score's calibrated
// outside), the report names them, and a negative weight is refused.
func TestReproOpenSetContrastive(t *testing.T) {
	out := t.TempDir()
	md := checkVariantRuns(t, out, []string{"--variant-contrastive", "0.5"}, "con0.5", func(c train.Config) float64 { return c.Contrastive }, func(first string) []string {
		return []string{repro.ScoreConKNN10, repro.ScoreConKNN50, "std. sum: " + first + " + contrastive k-NN", first}
	})
	if !strings.Contains(md, "contrastive head at weight 0.5") {
		t.Errorf("report.md does not describe the contrastive head")
	}
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--variant-contrastive", "-1", "--out", t.TempDir()); err == nil {
		t.Errorf("--variant-contrastive -1 was accepted")
	}
}

// TestReproUnseenContrastive runs "lsconf repro --unseen --quick
// --contrastive 0.5 --contrastive-turned": the ce+g runs record the
// weight and the turned negatives and carry the
// contrastive k-NN scores and their sum with the open-set score (in
// range, with the calibrated outside), the ce runs have neither, and the
// report has the section.
func TestReproUnseenContrastive(t *testing.T) {
	out := t.TempDir()
	if stdout, err := runCLI(t, "repro", "--unseen", "--quick", "--contrastive", "0.5", "--contrastive-turned", "--out", out); err != nil {
		t.Fatalf("repro --unseen --quick --contrastive 0.5 --contrastive-turned: %v\n%s", err, stdout)
	}
	b, err := os.ReadFile(filepath.Join(out, repro.UnseenDir, report.ReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	var res repro.UnseenResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	keys := []string{repro.ScoreConKNN10, repro.ScoreConKNN50, "std. sum: " + repro.ScoreRunRule + " + contrastive k-NN"}
	for _, r := range res.Runs {
		info, err := train.ReadRunInfo(filepath.Join(out, repro.UnseenDir, r.Dir))
		if err != nil {
			t.Fatal(err)
		}
		ceg := r.Mode == model.ModeCEG
		if (info.Config.Contrastive == 0.5) != ceg || info.Config.ContrastiveTurned != ceg {
			t.Errorf("%s without %s: run.json contrastive weight %v, turned negatives %v", r.Mode, r.Held, info.Config.Contrastive, info.Config.ContrastiveTurned)
		}
		for _, k := range keys {
			o, ok := r.OpenSet[k]
			if ok != ceg || (ok && (o.AUROC < 0 || o.AUROC > 1 || o.Positives == 0)) {
				t.Errorf("%s without %s: %s %+v (present %v)", r.Mode, r.Held, k, o, ok)
			}
			if _, ok := r.FeatureCalOutside[k]; ok != ceg {
				t.Errorf("%s without %s: calibrated outside of %s present %v", r.Mode, r.Held, k, ok)
			}
		}
	}
	if md, err := os.ReadFile(filepath.Join(out, repro.UnseenDir, report.ReportMD)); err != nil || !strings.Contains(string(md), "Contrastive head (--contrastive)") || !strings.Contains(string(md), "| "+repro.ScoreConKNN10+" |") {
		t.Errorf("report.md lacks the contrastive section (%v)", err)
	}
}

// checkVariantRuns runs the variant and its ce control on the quick
// budget with the flags given (a weight of 0.5) and checks them: their
// run folders end in -v-<suffix>, run.json records the weight (weightOf),
// every score names(first score) gives is in range with its calibrated
// outside, and report.md has a row for each. It returns report.md.
func checkVariantRuns(t *testing.T, out string, flags []string, suffix string, weightOf func(train.Config) float64, names func(first string) []string) string {
	t.Helper()
	res := openSetReportOf(t, out, append([]string{"--quick", "--methods", "ce+g distance variant,ce variant"}, flags...)...)
	if len(res.Runs) != 2 {
		t.Fatalf("%d runs, want 2", len(res.Runs))
	}
	md, err := os.ReadFile(filepath.Join(out, repro.OpenSetDir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res.Runs {
		dir, first := "ceg-distance-v-"+suffix, "distance MSP·d_c/|z|"
		if r.Method == "ce variant" {
			dir, first = "ce-v-"+suffix, repro.ScoreMSP
		}
		if !strings.HasSuffix(r.Dir, dir) {
			t.Errorf("%s: run folder %s, want .../%s", r.Method, r.Dir, dir)
		}
		info, err := train.ReadRunInfo(filepath.Join(out, repro.OpenSetDir, r.Dir))
		if err != nil {
			t.Fatal(err)
		}
		if w := weightOf(info.Config); w != 0.5 {
			t.Errorf("%s: run.json weight %v, want 0.5", r.Method, w)
		}
		for _, name := range names(first) {
			s, ok := r.Scores[name]
			if !ok || s.AUROC < 0 || s.AUROC > 1 || s.TPRAt5FPR < 0 || s.TPRAt5FPR > 1 || s.Outside == nil ||
				s.Outside.Known < 0 || s.Outside.Known > 1 || s.Outside.Unknown < 0 || s.Outside.Unknown > 1 {
				t.Errorf("%s, %s: %+v (present %v)", r.Method, name, s, ok)
			}
			if !strings.Contains(string(md), "| "+r.Method+" | "+name+" |") {
				t.Errorf("report.md has no row for %s, %s", r.Method, name)
			}
		}
	}
	return string(md)
}
