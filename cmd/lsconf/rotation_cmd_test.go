package main

import (
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

// TestReproOpenSetRotationHead runs the variant and its ce control with
// the rotation head on the quick budget: their run folders name the
// weight, run.json records it, both are scored by "rotation" and by their
// first score + rotation (in range, with each score's calibrated outside),
// the report names them, and a negative weight is refused.
func TestReproOpenSetRotationHead(t *testing.T) {
	checkVariantRuns(t, t.TempDir(), []string{"--variant-rotation-head", "0.5"}, "rot0.5", func(c train.Config) float64 { return c.RotationHead }, func(first string) []string {
		return []string{repro.ScoreRotation, first + " + rotation", first}
	})
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--variant-rotation-head", "-1", "--out", t.TempDir()); err == nil {
		t.Errorf("--variant-rotation-head -1 was accepted")
	}
}

// openSetReportOf runs "lsconf repro --open-set args... --out out" and reads
// its report.json (skipped without Fashion-MNIST).
func openSetReportOf(t *testing.T, out string, args ...string) repro.OpenSetResult {
	t.Helper()
	needFashionMNIST(t)
	args = append(append([]string{"repro", "--open-set"}, args...), "--out", out)
	if stdout, err := runCLI(t, args...); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, stdout)
	}
	return readOpenSetResult(t, filepath.Join(out, repro.OpenSetDir))
}
