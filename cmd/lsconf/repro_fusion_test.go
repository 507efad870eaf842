package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

// TestReproOpenSetRotationFusions runs the variant with the rotation head
// and L_G held back from the features, scored with --feature-scores, on
// the quick budget: the run folder names both, run.json records the stop,
// and the run is scored by the rotation fusions with the all-levels k-NN
// (sum and largest part, with and without the LS score), each in range
// with its calibrated outside. A stop above 1 is refused.
func TestReproOpenSetRotationFusions(t *testing.T) {
	out := t.TempDir()
	res := openSetReportOf(t, out, "--quick", "--methods", "ce+g distance variant", "--variant-rotation-head", "0.5", "--variant-lg-feature-stop", "1", "--feature-scores")
	if len(res.Runs) != 1 {
		t.Fatalf("%d runs, want 1", len(res.Runs))
	}
	r := res.Runs[0]
	if !strings.HasSuffix(r.Dir, "ceg-distance-v-rot0.5-fstop1") {
		t.Errorf("run folder %s, want .../ceg-distance-v-rot0.5-fstop1", r.Dir)
	}
	info, err := train.ReadRunInfo(filepath.Join(out, repro.OpenSetDir, r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.LGFeatureStop != 1 {
		t.Errorf("run.json L_G feature stop %v, want 1", info.Config.LGFeatureStop)
	}
	for _, name := range []string{repro.ScoreFuseLSRotAll, repro.ScoreFuseRotAll, repro.ScoreMaxLSRotAll, repro.ScoreMaxRotAll} {
		s, ok := r.Scores[name]
		if !ok || s.AUROC < 0 || s.AUROC > 1 || s.TPRAt5FPR < 0 || s.TPRAt5FPR > 1 || s.Outside == nil ||
			s.Outside.Known < 0 || s.Outside.Known > 1 || s.Outside.Unknown < 0 || s.Outside.Unknown > 1 {
			t.Errorf("%s: %+v (present %v)", name, s, ok)
		}
	}
	if _, ok := r.Scores[repro.ScoreFuseMSPRotAll]; ok {
		t.Errorf("a run with an LS score got the MSP fusion")
	}
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--methods", "ce+g distance variant", "--variant-lg-feature-stop", "1.5", "--out", t.TempDir()); err == nil {
		t.Errorf("--variant-lg-feature-stop 1.5 was accepted")
	}
}
