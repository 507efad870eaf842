package train

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/model"
)

// TestDistanceHeadRun trains with the distance head: run.json records
// it, the run reopens with it, and the evaluation's head accuracy is its
// nearest-centre accuracy (the head is the nearest centre when the radii
// are equal).
func TestDistanceHeadRun(t *testing.T) {
	cfg := testConfig(t)
	cfg.Head = string(model.HeadDistance)
	dir := filepath.Join(t.TempDir(), "run")
	res := trainOK(t, cfg, testSets(), dir)
	info, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Head != "distance" || info.Model.Head != model.HeadDistance {
		t.Errorf("run.json head %q, model head %q; want distance", info.Config.Head, info.Model.Head)
	}
	if res.Test.Accuracy != res.Test.NearestAccuracy {
		t.Errorf("distance head: accuracy %v, nearest centre %v", res.Test.Accuracy, res.Test.NearestAccuracy)
	}
	testutil.Within(t, testTimeout, func() {
		run, err := OpenRun(dir, engine.Config{})
		if err != nil {
			t.Error(err)
			return
		}
		defer run.Close()
		if !run.ModelConfig().IsDistance() {
			t.Errorf("reopened run's head %q", run.ModelConfig().Head)
		}
	})
}

// TestRunWithoutHeadLoadsDense: a run.json written before heads existed
// (no "head" field) reads as the dense head and its checkpoint opens.
func TestRunWithoutHeadLoadsDense(t *testing.T) {
	cfg := testConfig(t)
	cfg.Epochs = 1
	dir := filepath.Join(t.TempDir(), "run")
	trainOK(t, cfg, testSets(), dir)
	path := filepath.Join(dir, RunFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	c := raw["config"].(map[string]any)
	if c["head"] != "dense" {
		t.Fatalf("new run.json records head %v, want dense", c["head"])
	}
	delete(c, "head")
	b, _ = json.Marshal(raw)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Head != "dense" {
		t.Errorf("old run.json reads head %q, want dense", info.Config.Head)
	}
	testutil.Within(t, testTimeout, func() {
		run, err := OpenRun(dir, engine.Config{})
		if err != nil {
			t.Error(err)
			return
		}
		defer run.Close()
		if run.ModelConfig().IsDistance() {
			t.Errorf("old run opened with head %q", run.ModelConfig().Head)
		}
	})
}
