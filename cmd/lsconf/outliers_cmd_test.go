package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

// TestTrainOutliers trains a tiny run with --outliers: run.json records
// the default weight, the folder and the count; --resume of the finished
// run reloads the recorded folder; a folder without images is refused
// with its name.
func TestTrainOutliers(t *testing.T) {
	tmp := t.TempDir()
	imgs, outl := filepath.Join(tmp, "imgs"), filepath.Join(tmp, "outliers")
	writeFolder(t, imgs, 12, 1)
	writeFolder(t, outl, 4, 9)
	run := filepath.Join(tmp, "run")
	if _, err := runCLI(t, "train", "--data", imgs, "--width", "16", "--epochs", "1", "--batch", "16",
		"--aug-per-image", "1", "--outliers", outl, "--out", run); err != nil {
		t.Fatalf("train --outliers: %v", err)
	}
	info, err := train.ReadRunInfo(run)
	if err != nil {
		t.Fatal(err)
	}
	o := info.Config.Outliers
	if info.Config.OutlierWeight != train.DefaultOutlierWeight || o == nil || o.Dir != filepath.ToSlash(outl) || o.Count != 12 || o.PerStep != 8 {
		t.Errorf("run.json: outlier weight %v, outliers %+v; want %v, %s, 12 images, 8 per step", info.Config.OutlierWeight, o, train.DefaultOutlierWeight, outl)
	}
	if _, err := runCLI(t, "train", "--resume", "--out", run); err != nil {
		t.Errorf("resume of a finished outlier run: %v", err)
	}
	empty := filepath.Join(tmp, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "train", "--data", imgs, "--width", "16", "--epochs", "1", "--outliers", empty, "--out", filepath.Join(tmp, "run2")); err == nil || !strings.Contains(err.Error(), empty) {
		t.Errorf("an empty outlier folder: %v", err)
	}
}

// TestReproOpenSetOutliers runs the variant and its ce control with
// outlier exposure on the quick budget: their run folders name the weight
// and run.json records the folder; a weight without a folder is no
// variant, and a weight <= 0 with one is refused.
func TestReproOpenSetOutliers(t *testing.T) {
	outl := filepath.Join(t.TempDir(), "outliers")
	writeFolder(t, outl, 4, 9)
	out := t.TempDir()
	res := openSetReportOf(t, out, "--quick", "--methods", "ce+g distance variant,ce variant", "--variant-outliers", outl, "--variant-outlier-weight", "1")
	if len(res.Runs) != 2 {
		t.Fatalf("%d runs, want 2", len(res.Runs))
	}
	for _, r := range res.Runs {
		dir := "ceg-distance-v-oe1"
		if r.Method == "ce variant" {
			dir = "ce-v-oe1"
		}
		if !strings.HasSuffix(r.Dir, dir) {
			t.Errorf("%s: run folder %s, want .../%s", r.Method, r.Dir, dir)
		}
		info, err := train.ReadRunInfo(filepath.Join(out, repro.OpenSetDir, r.Dir))
		if err != nil {
			t.Fatal(err)
		}
		if info.Config.OutlierWeight != 1 || info.Config.Outliers == nil || info.Config.Outliers.Count != 12 {
			t.Errorf("%s: run.json outlier weight %v, outliers %+v", r.Method, info.Config.OutlierWeight, info.Config.Outliers)
		}
	}
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--variant-outliers", outl, "--variant-outlier-weight", "0", "--out", t.TempDir()); err == nil {
		t.Errorf("--variant-outlier-weight 0 was accepted")
	}
}

// TestReproUnseenOutliers runs the quick unseen experiment with
// --outliers: every ce+g run records the weight and the folder's count,
// no ce run does, and the report names the outlier loss.
func TestReproUnseenOutliers(t *testing.T) {
	outl := filepath.Join(t.TempDir(), "outliers")
	writeFolder(t, outl, 4, 9)
	out := t.TempDir()
	if stdout, err := runCLI(t, "repro", "--unseen", "--quick", "--outliers", outl, "--outlier-weight", "1", "--out", out); err != nil {
		t.Fatalf("repro --unseen --quick --outliers: %v\n%s", err, stdout)
	}
	runs, err := filepath.Glob(filepath.Join(out, repro.UnseenDir, repro.RunsDir, "*", "*", train.RunFile))
	if err != nil || len(runs) != 10 {
		t.Fatalf("%d runs (%v), want 10", len(runs), err)
	}
	for _, f := range runs {
		info, err := train.ReadRunInfo(filepath.Dir(f))
		if err != nil {
			t.Fatal(err)
		}
		ceg := info.Config.Mode == "ce+g"
		if got := info.Config.OutlierWeight; (ceg && (got != 1 || info.Config.Outliers == nil || info.Config.Outliers.Count != 12)) || (!ceg && (got != 0 || info.Config.Outliers != nil)) {
			t.Errorf("%s (%s): outlier weight %v, outliers %+v", f, info.Config.Mode, got, info.Config.Outliers)
		}
	}
	md, err := os.ReadFile(filepath.Join(out, repro.UnseenDir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "1·outlier loss") {
		t.Errorf("report.md does not name the outlier loss")
	}
}
