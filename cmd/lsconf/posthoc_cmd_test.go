package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/repro"
)

// TestReproOpenSetDecoderScores runs the variant with a decoder on the
// quick budget: its report carries the decoder's scores and the fusion of
// the LS score with the reconstruction error, in range and calibrated on
// the validation images.
func TestReproOpenSetDecoderScores(t *testing.T) {
	if _, err := os.Stat(data.FashionMNISTDir); err != nil {
		t.Skip("Fashion-MNIST not installed (scripts/setup.sh installs it)")
	}
	out := t.TempDir()
	args := []string{"repro", "--open-set", "--quick", "--methods", "ce+g distance variant", "--variant-recon", "1", "--out", out}
	if stdout, err := runCLI(t, args...); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stdout)
	}
	res := readOpenSetResult(t, filepath.Join(out, repro.OpenSetDir))
	if len(res.Runs) != 1 {
		t.Fatalf("%d runs", len(res.Runs))
	}
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
