package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

// TestReproOpenSetEnsembleQuick runs "lsconf repro --open-set --quick
// --ensemble 2 --methods ce": the single run is member 1 (seed 1, its
// usual folder), member 2 trains with its own seed recorded in its
// run.json and the report, the ensemble's figures are in range and in
// report.md; --ensemble 0 is refused.
func TestReproOpenSetEnsembleQuick(t *testing.T) {
	needFashionMNIST(t)
	out := t.TempDir()
	if stdout, err := runCLI(t, "repro", "--open-set", "--quick", "--ensemble", "2", "--methods", "ce", "--out", out); err != nil {
		t.Fatalf("repro --open-set --quick --ensemble 2: %v\n%s", err, stdout)
	}
	dir := filepath.Join(out, repro.OpenSetDir)
	res := readOpenSetResult(t, dir)
	if len(res.Runs) != 1 || len(res.Ensembles) != 1 {
		t.Fatalf("%d runs and %d ensembles, want 1 and 1", len(res.Runs), len(res.Ensembles))
	}
	e := res.Ensembles[0]
	if !slices.Equal(e.Seeds, []uint64{1, 1001}) || len(e.Dirs) != 2 || e.Dirs[0] != res.Runs[0].Dir || len(e.MemberAccuracy) != 2 {
		t.Fatalf("ensemble seeds %v, folders %v (single run %s), member accuracy %v", e.Seeds, e.Dirs, res.Runs[0].Dir, e.MemberAccuracy)
	}
	for i, d := range e.Dirs {
		info, err := train.ReadRunInfo(filepath.Join(dir, d))
		if err != nil {
			t.Fatal(err)
		}
		if info.Config.Seed != e.Seeds[i] {
			t.Errorf("member %d (%s): run.json seed %d, report %d", i+1, d, info.Config.Seed, e.Seeds[i])
		}
	}
	if e.MemberAccuracy[0] != res.Runs[0].Accuracy {
		t.Errorf("member 1's accuracy %v, the single run's %v", e.MemberAccuracy[0], res.Runs[0].Accuracy)
	}
	for _, s := range []string{repro.ScoreMSP, repro.ScoreMLS} {
		sc, ok := e.Scores[s]
		if !ok || sc.AUROC < 0 || sc.AUROC > 1 || sc.Outside == nil || sc.TPRAt5FPR < 0 || sc.TPRAt5FPR > 1 {
			t.Errorf("ensemble %s: %+v", s, sc)
		}
		if mm := e.MemberMean[s].AUROC; mm < 0 || mm > 1 {
			t.Errorf("members' mean %s AUROC %v", s, mm)
		}
	}
	if !slices.Contains(e.NotEnsembled, repro.ScoreClassMean) {
		t.Errorf("not ensembled %v, want the class-mean distance (no validation figures)", e.NotEnsembled)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil || !strings.Contains(string(md), "## Deep ensembles (2 members)") {
		t.Errorf("report.md lacks the ensembles section (%v)", err)
	}
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--ensemble", "0", "--out", t.TempDir()); err == nil {
		t.Error("--ensemble 0 accepted")
	}
}
