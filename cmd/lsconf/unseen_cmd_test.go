package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/repro"
)

// TestReproUnseenQuick runs "lsconf repro --unseen --quick" end to end
// (5 classes x 1 seed x {ce+g, ce}, tiny runs), checks report.json, and
// runs it again: every run is found finished and only analysed.
func TestReproUnseenQuick(t *testing.T) {
	out := t.TempDir()
	stdout, err := runCLI(t, "repro", "--unseen", "--quick", "--out", out)
	if err != nil {
		t.Fatalf("repro --unseen --quick: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "10 trained, 0 already finished") || !strings.Contains(stdout, "Verdict on") {
		t.Errorf("summary:\n%s", stdout)
	}
	var res repro.UnseenResult
	b, err := os.ReadFile(filepath.Join(out, repro.UnseenDir, report.ReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if len(res.Runs) != 10 || len(res.Classes) != 5 || len(res.Verdict) < 4 {
		t.Fatalf("%d runs, %d classes, %d verdict lines", len(res.Runs), len(res.Classes), len(res.Verdict))
	}
	held := map[string]int{}
	for _, r := range res.Runs {
		held[r.Held]++
		for _, x := range []float64{r.WithinKnown, r.Outside, r.HeldSim.PK, r.HeldL2.MAPR, r.Chance} {
			if math.IsNaN(x) || x < 0 || x > 1 {
				t.Errorf("run %s %s: share or score %v out of [0, 1]", r.Held, r.Mode, x)
			}
		}
		if r.Nearest[r.Held] != 0 {
			t.Errorf("held-out class %s has a configured centre", r.Held)
		}
		for _, k := range repro.OpenSetScores {
			o := r.OpenSet[k]
			if o.Positives == 0 || o.Negatives == 0 || o.AUROC < 0 || o.AUROC > 1 {
				t.Errorf("run %s %s: open set %s %+v", r.Held, r.Mode, k, o)
			}
		}
		if r.HeldSim.Queries == 0 || r.HeldL2.Queries != r.HeldSim.Queries {
			t.Errorf("run %s %s: %d / %d held-out queries", r.Held, r.Mode, r.HeldSim.Queries, r.HeldL2.Queries)
		}
	}
	for _, c := range res.Classes {
		if held[c] != 2 {
			t.Errorf("class %s held out in %d runs, want 2 (ce+g and ce)", c, held[c])
		}
	}
	md, err := os.ReadFile(filepath.Join(out, repro.UnseenDir, report.ReportMD))
	if err != nil || !strings.Contains(string(md), "QUICK PIPELINE CHECK") || !strings.Contains(string(md), "AUROC") {
		t.Errorf("report.md (%v):\n%.500s", err, md)
	}
	// the second run re-analyses the finished runs, with the feature and z scores
	stdout, err = runCLI(t, "repro", "--unseen", "--quick", "--feature-scores", "--z-scores", "--out", out)
	if err != nil || !strings.Contains(stdout, "0 trained, 10 already finished") {
		t.Errorf("second run (%v):\n%s", err, stdout)
	}
	b, err = os.ReadFile(filepath.Join(out, repro.UnseenDir, report.ReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	var feat repro.UnseenResult
	if err := json.Unmarshal(b, &feat); err != nil {
		t.Fatal(err)
	}
	for _, r := range feat.Runs {
		for _, k := range []string{repro.ScoreFeatKNN10, repro.ScoreAllKNN10, repro.ScorePooledMaha, repro.ScoreZMaha, repro.ScoreZMahaClass, repro.ScoreZSum} {
			if o, ok := r.OpenSet[k]; !ok || o.AUROC < 0 || o.AUROC > 1 {
				t.Errorf("%s without %s: %s %+v (present %v)", r.Mode, r.Held, k, o, ok)
			}
		}
	}
	if md, err := os.ReadFile(filepath.Join(out, repro.UnseenDir, report.ReportMD)); err != nil || !strings.Contains(string(md), "| "+repro.ScoreAllKNN10+" |") {
		t.Errorf("report.md lacks the feature scores' table (%v)", err)
	}
}
