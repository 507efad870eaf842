package repro

import (
	"context"
	"errors"
	"github.com/lsconf/lsconf/report"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/train"
)

// TestReproInterruptResumeSkip interrupts a small reproduction in its
// second run, resumes it, and checks that a third call trains nothing.
func TestReproInterruptResumeSkip(t *testing.T) {
	cfg := QuickConfig()
	cfg.Out = t.TempDir()
	cfg.Seeds, cfg.NoPolar, cfg.Epochs = []uint64{7}, true, 2
	cfg.Engine = engine.Config{Parallelism: 2}
	plan := Plan(cfg.Seeds, nil, cfg.PolarMode)
	victim := plan[1]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stopped := int64(-1)
	cfg.AfterStep = func(e Experiment, step int64) {
		if e == victim && step == 3 && stopped < 0 {
			stopped = step
			cancel()
		}
	}
	var err error
	testutil.Within(t, 4*time.Minute, func() { _, err = Run(ctx, cfg) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted repro: error %v, want context.Canceled", err)
	}
	dir := runDir(cfg.Out, victim)
	if _, err := os.Stat(filepath.Join(dir, train.CheckpointFile)); err != nil {
		t.Fatalf("no checkpoint after the interruption: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, train.EvalFile)); err == nil {
		t.Fatal("the interrupted run has an eval.json")
	}
	if _, err := os.Stat(filepath.Join(cfg.Out, report.ReportMD)); err == nil {
		t.Fatal("a report was written by the interrupted call")
	}

	cfg.AfterStep = nil
	var res *Result
	testutil.Within(t, 4*time.Minute, func() { res, err = Run(context.Background(), cfg) })
	if err != nil {
		t.Fatalf("resumed repro: %v", err)
	}
	if res.Skipped != 1 || res.Resumed != 1 || res.Trained != 2 || len(res.Runs) != 4 {
		t.Errorf("resumed repro: %d skipped, %d resumed, %d trained, %d runs; want 1, 1, 2, 4", res.Skipped, res.Resumed, res.Trained, len(res.Runs))
	}
	r := findRun(res.Runs, victim)
	if r == nil || r.Epochs != cfg.Epochs || r.Steps != 2*15 || len(r.Metrics) != cfg.Epochs {
		t.Fatalf("resumed run: %+v", r)
	}
	// The analysis agrees with the run's own evaluation.
	if r.Train.N != 240 || r.Test.N != 10 || r.Gen.N != 20 || len(r.Points.ZTrain) != 2*240 || len(r.Points.YGen) != 20 {
		t.Errorf("resumed run sets: train %d test %d gen %d, %d z values", r.Train.N, r.Test.N, r.Gen.N, len(r.Points.ZTrain))
	}
	for _, name := range []string{report.ReportMD, report.ReportHTML, report.ReportJSON, filepath.Join(FiguresDir, "fig7-ceg-grid.png")} {
		if st, err := os.Stat(filepath.Join(cfg.Out, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}

	testutil.Within(t, 2*time.Minute, func() { res, err = Run(context.Background(), cfg) })
	if err != nil {
		t.Fatalf("third repro: %v", err)
	}
	if res.Skipped != 4 || res.Resumed != 0 || res.Trained != 0 {
		t.Errorf("third repro: %d skipped, %d resumed, %d trained; want 4, 0, 0", res.Skipped, res.Resumed, res.Trained)
	}
	if _, err := os.Stat(filepath.Join(dir, AnalysisFile)); err != nil {
		t.Errorf("no analysis cache: %v", err)
	}

	// Other settings in the same folder are refused, nothing retrained.
	other := cfg
	other.LR = 0.1
	testutil.Within(t, time.Minute, func() { _, err = Run(context.Background(), other) })
	if err == nil {
		t.Error("repro with another learning rate in the same folder: no error")
	}
}
