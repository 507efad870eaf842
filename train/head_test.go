package train

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
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
		// the calibrated outside threshold: the test split's, 95% inside
		c := run.Calibration()
		if c == nil || res.Test.Calibration == nil || c.Threshold != res.Test.Calibration.Threshold || c.On != "test" || c.N != res.Test.N {
			t.Errorf("run calibration %+v, test split's %+v", c, res.Test.Calibration)
			return
		}
		// a fixed-scale distance head is thresholded on its MSP from z times d_c/|z|
		if c.Score != latent.DefaultDistanceScore || c.HeadScale != run.ModelConfig().OpenSetScale() || c.HeadScale <= 0 {
			t.Errorf("distance-head calibration on %q scale %v", c.Score, c.HeadScale)
		}
		inf, err := run.InferSet(context.Background(), testSets().Test)
		if err != nil {
			t.Error(err)
			return
		}
		imgs, err := run.Describe(inf.Z, inf.Logits, len(inf.Labels))
		if err != nil {
			t.Error(err)
			return
		}
		outside := 0
		for i, im := range imgs {
			sum := 0.0
			for _, p := range im.Probs {
				sum += p
			}
			if math.Abs(sum-1) > 1e-9 || im.Predicted != HeadClass(inf.Logits[3*i:3*i+3]) || im.Predicted != im.Nearest {
				t.Errorf("image %d: probabilities sum to %v, predicted %d, nearest %d", i, sum, im.Predicted, im.Nearest)
			}
			// the score from z equals the head's MSP of its own logits times d_c/|z|
			l := run.Layout()
			zn, dc := 0.0, 0.0
			for k, x := range im.Z {
				zn += float64(x) * float64(x)
				dc += l.Center(0)[k] * l.Center(0)[k]
			}
			if want := (1 - HeadConfidence(inf.Logits[3*i:3*i+3])) * math.Sqrt(dc/zn); math.Abs(im.Score-want) > 1e-4*max(1, want) {
				t.Errorf("image %d: score %v, head's MSP x d_c/|z| %v", i, im.Score, want)
			}
			if im.Outside != (im.Score > c.Threshold) {
				t.Errorf("image %d: score %v, threshold %v, outside %v", i, im.Score, c.Threshold, im.Outside)
			}
			if im.Outside {
				outside++
			}
		}
		if limit := len(imgs) - int(math.Ceil(0.95*float64(len(imgs)))); outside > limit {
			t.Errorf("%d of %d calibration images outside, at most %d at 95%%", outside, len(imgs), limit)
		}
	})
}

// TestRunWithoutHeadLoadsDense: a run.json written before heads existed
// (no "head" field) reads as the dense head, its checkpoint opens, and a
// run without outside.json has no calibration.
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
	if err := os.Remove(filepath.Join(dir, OutsideFile)); err != nil {
		t.Fatal(err)
	}
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
		if run.Calibration() != nil {
			t.Errorf("a run without %s has calibration %+v", OutsideFile, run.Calibration())
		}
	})
}
