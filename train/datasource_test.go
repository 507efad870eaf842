package train

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/testutil"
)

// TestRunRecordsOutputSettings: --log-every and
// --checkpoint-every are in run.json, so a resumed run keeps them.
func TestRunRecordsOutputSettings(t *testing.T) {
	cfg := testConfig(t)
	cfg.Epochs, cfg.LogEvery, cfg.CheckpointEvery = 1, 1, 2
	dir := filepath.Join(t.TempDir(), "run")
	trainOK(t, cfg, testSets(), dir)
	info, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc := info.TrainConfig()
	if rc.LogEvery != 1 || rc.CheckpointEvery != 2 {
		t.Fatalf("run.json gives log every %d, checkpoint every %d; want 1 and 2", rc.LogEvery, rc.CheckpointEvery)
	}
	if info.Data.Hash == "" {
		t.Fatal("run.json records no data hash")
	}
	// Resuming with another log interval is refused like any other setting.
	rc.Resume, rc.LogEvery = true, 5
	if _, err := Train(context.Background(), rc, testSets(), dir); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Fatalf("resume with another log interval: %v", err)
	}
}

// TestDataLocatedFromAnywhere: a folder source is recorded by its
// absolute path and relative to the run folder; when both move together
// the run still finds its data.
func TestDataLocatedFromAnywhere(t *testing.T) {
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "proj")
	os.MkdirAll(filepath.Join(proj, "data", "imgs"), 0o755)
	os.MkdirAll(filepath.Join(proj, "runs", "r1"), 0o755)
	t.Chdir(proj)
	d := DataInfo{Train: "data/imgs", Gen: data.BuiltinGen}.anchored("runs/r1")
	if d.Train != filepath.Join(proj, "data", "imgs") || d.TrainFromRun != "../../data/imgs" || d.Gen != data.BuiltinGen || d.GenFromRun != "" {
		t.Fatalf("anchored %+v", d)
	}
	idx := DataInfo{Train: "idx:data/imgs", Gen: data.FashionMNIST}.anchored("runs/r1")
	if idx.Train != data.IDXPrefix+filepath.Join(proj, "data", "imgs") || idx.TrainFromRun != "idx:../../data/imgs" || idx.Gen != data.FashionMNIST {
		t.Fatalf("anchored IDX source %+v", idx)
	}
	t.Chdir(tmp)
	if got := d.Located(filepath.Join(proj, "runs", "r1")).Train; got != filepath.Join(proj, "data", "imgs") {
		t.Fatalf("located from elsewhere: %s", got)
	}
	moved := filepath.Join(tmp, "moved")
	if err := os.Rename(proj, moved); err != nil {
		t.Fatal(err)
	}
	if got := d.Located(filepath.Join(moved, "runs", "r1")).Train; got != filepath.Join(moved, "runs", "r1", "..", "..", "data", "imgs") {
		t.Fatalf("located after the project moved: %s", got)
	}
	if got := idx.Located(filepath.Join(moved, "runs", "r1")).Train; got != data.IDXPrefix+filepath.Join(moved, "data", "imgs") {
		t.Fatalf("IDX source located after the project moved: %s", got)
	}
}

// TestResumeRefusesOtherData: resume on another folder is refused
// unless ForceData; changed content gives a warning.
func TestResumeRefusesOtherData(t *testing.T) {
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	os.MkdirAll(a, 0o755)
	os.MkdirAll(b, 0o755)
	cfg := testConfig(t)
	cfg.Data = DataInfo{Train: a}
	dir := filepath.Join(tmp, "run")
	ctx, cancel := context.WithCancel(context.Background())
	icfg := cfg
	icfg.AfterStep = func(step int64) {
		if step == 2 {
			cancel()
		}
	}
	testutil.Within(t, testTimeout, func() {
		if _, err := Train(ctx, icfg, testSets(), dir); !errors.Is(err, context.Canceled) {
			t.Errorf("interrupted run: %v", err)
		}
	})
	rc := cfg
	rc.Resume = true
	rc.Data = DataInfo{Train: b}
	testutil.Within(t, testTimeout, func() {
		if _, err := Train(context.Background(), rc, testSets(), dir); err == nil || !errors.Is(err, ErrOtherData) {
			t.Errorf("resume on other data: %v", err)
		}
	})
	// Forced, on changed images: it trains and warns.
	var log bytes.Buffer
	rc.ForceData, rc.Progress = true, &log
	sets := testSets()
	sets.Train = stripeSet(96, 99, testClasses)
	res := trainOK(t, rc, sets, dir)
	if !res.Finished || !strings.Contains(log.String(), "content changed") {
		t.Fatalf("forced resume on changed data: finished %v, log %q", res.Finished, log.String())
	}
}

// TestCorruptedGenSource loads a corrupted Fashion-MNIST as a run's
// generalization set: its test split, corrupted (skipped without
// Fashion-MNIST).
func TestCorruptedGenSource(t *testing.T) {
	if _, err := os.Stat(data.FashionMNISTDir); err != nil {
		t.Skip("Fashion-MNIST is not installed")
	}
	d := DataInfo{Train: data.FashionMNIST, Gen: "fashion-mnist-c:blur:1"}.SourceDefaults(false)
	sets, err := d.Sets(context.Background(), 1, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sets.Gen == nil || sets.Gen.Len() != sets.Test.Len() {
		t.Fatalf("generalization set %v, test split %d images", sets.Gen, sets.Test.Len())
	}
	a, b := make([]float32, data.Pixels), make([]float32, data.Pixels)
	sets.Test.Image(0, a)
	sets.Gen.Image(0, b)
	same := true
	for i := range a {
		same = same && a[i] == b[i]
	}
	if same {
		t.Error("the corrupted generalization image equals the clean test image")
	}
	if abs, _ := anchor(d.Gen, t.TempDir()); abs != d.Gen {
		t.Errorf("a corrupted source was anchored as a folder: %q", abs)
	}
}
