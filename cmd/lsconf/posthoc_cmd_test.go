package main

import (
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/repro"
)

// TestReproOpenSetDecoderScores runs the variant with a decoder on the
// quick budget: its report carries the decoder's scores and the fusion of
// the LS score with the reconstruction error, in range and calibrated on
// the validation images.
func TestReproOpenSetDecoderScores(t *testing.T) {
	needFashionMNIST(t)
	res, _ := runOpenSetVariant(t, "--variant-recon", "1")
	r := res.Runs[0]
	for _, name := range []string{repro.ScoreRecon, repro.ScoreReconClass, repro.ScoreRoundTrip, repro.ScoreFuseLSRecon} {
		s, ok := r.Scores[name]
		if !ok || s.AUROC < 0 || s.AUROC > 1 || s.TPRAt5FPR < 0 || s.TPRAt5FPR > 1 || s.Outside == nil || s.Outside.Unknown < 0 || s.Outside.Unknown > 1 {
			t.Errorf("%s: %+v (present %v)", name, s, ok)
		}
	}
	// without --feature-scores the fusions with the feature k-NN are not made
	if _, ok := r.Scores[repro.ScoreFuseLSAllRecon]; ok {
		t.Errorf("%q without the feature scores", repro.ScoreFuseLSAllRecon)
	}
}

// runOpenSetVariant runs "lsconf repro --open-set --quick --methods 'ce+g
// distance variant'" with flags into a temporary folder and returns its
// report, which must hold exactly one run, and the open-set folder.
func runOpenSetVariant(t *testing.T, flags ...string) (repro.OpenSetResult, string) {
	t.Helper()
	out := t.TempDir()
	args := append(append([]string{"repro", "--open-set", "--quick", "--methods", "ce+g distance variant"}, flags...), "--out", out)
	if stdout, err := runCLI(t, args...); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stdout)
	}
	dir := filepath.Join(out, repro.OpenSetDir)
	res := readOpenSetResult(t, dir)
	if len(res.Runs) != 1 || res.Runs[0].Method != "ce+g distance variant" {
		t.Fatalf("%d runs: %+v", len(res.Runs), res.Runs)
	}
	return res, dir
}
