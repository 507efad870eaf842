package train

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/testutil"
)

// metricsWithoutWall reads a metrics log with the wall times zeroed.
func metricsWithoutWall(t *testing.T, dir string) []MetricsLine {
	t.Helper()
	ls, err := ReadMetrics(filepath.Join(dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := range ls {
		ls[i].WallSeconds = 0
	}
	return ls
}

func sameMetrics(t *testing.T, a, b []MetricsLine) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("metrics logs have %d and %d lines", len(a), len(b))
		return
	}
	for i := range a {
		ja, _ := marshalIndent(a[i])
		jb, _ := marshalIndent(b[i])
		if string(ja) != string(jb) {
			t.Errorf("metrics line %d differs:\n%s\n%s", i, ja, jb)
		}
	}
}

func TestTrainWritesRunAndIsDeterministic(t *testing.T) {
	cfg := testConfig(t)
	d1, d2 := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	r1 := trainOK(t, cfg, testSets(), d1)
	r2 := trainOK(t, cfg, testSets(), d2)
	for _, f := range []string{RunFile, CheckpointFile, MetricsFile, EvalFile} {
		if _, err := os.Stat(filepath.Join(d1, f)); err != nil {
			t.Errorf("run directory lacks %s: %v", f, err)
		}
	}
	m1, m2 := metricsWithoutWall(t, d1), metricsWithoutWall(t, d2)
	// 2 epochs of 3 batches, a step line every 2 steps: 3 step lines and
	// 2 epoch lines.
	if len(m1) != 5 || m1[4].Kind != KindEpoch || m1[4].Epoch != 2 || m1[4].Step != 6 || m1[4].Test == nil || m1[4].Gen == nil {
		t.Errorf("unexpected metrics log: %+v", m1)
	}
	sameMetrics(t, m1, m2)
	if !r1.Finished || r1.Position != (Position{Step: 6, Epoch: 2}) {
		t.Errorf("result %+v", r1)
	}
	c1, err := readCheckpoint(filepath.Join(d1, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	c2, err := readCheckpoint(filepath.Join(d2, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	v1, v2 := tensorValues(c1.State), tensorValues(c2.State)
	for i := range v1 {
		for k := range v1[i] {
			if v1[i][k] != v2[i][k] {
				t.Fatalf("same seed, data and flags gave different weights: tensor %s[%d] %v vs %v", c1.Tensors[i].Name, k, v1[i][k], v2[i][k])
			}
		}
	}
	if r1.ID == r2.ID {
		t.Errorf("two runs share the ID %s (run.json records its creation time)", r1.ID)
	}
	if r1.Test == nil || r1.Test.N != 30 || r1.Gen == nil || r1.Gen.N != 12 {
		t.Errorf("final evaluation %+v %+v", r1.Test, r1.Gen)
	}

	// A different seed gives a different run.
	cfg.Seed = 8
	d3 := filepath.Join(t.TempDir(), "c")
	trainOK(t, cfg, testSets(), d3)
	m3 := metricsWithoutWall(t, d3)
	if m3[0].Train == m1[0].Train {
		t.Errorf("seeds 7 and 8 gave the same first figures %+v", m1[0].Train)
	}
}

// TestResumeIsExact interrupts a run mid-epoch (context cancelled after
// step 4 of 6), resumes it, and compares it with an uninterrupted run:
// same weights, same Adam state, same metrics log.
func TestResumeIsExact(t *testing.T) {
	cfg := testConfig(t)
	full := filepath.Join(t.TempDir(), "full")
	trainOK(t, cfg, testSets(), full)

	part := filepath.Join(t.TempDir(), "part")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	icfg := cfg
	icfg.AfterStep = func(step int64) {
		if step == 4 {
			cancel()
		}
	}
	testutil.Within(t, testTimeout, func() {
		res, err := Train(ctx, icfg, testSets(), part)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("interrupted run: error %v, want context.Canceled", err)
		}
		if res == nil || res.Finished || res.Position != (Position{Step: 4, Epoch: 1, Batch: 1}) {
			t.Errorf("interrupted run result %+v", res)
		}
	})
	if t.Failed() {
		return
	}
	if _, err := os.Stat(filepath.Join(part, EvalFile)); err == nil {
		t.Errorf("an interrupted run wrote %s", EvalFile)
	}
	// Without --resume the run is not replaced.
	before := snapshot(t, part)
	testutil.Within(t, testTimeout, func() {
		if _, err := Train(context.Background(), cfg, testSets(), part); !errors.Is(err, ErrRunExists) {
			t.Errorf("training into an existing run: error %v, want ErrRunExists", err)
		}
	})
	sameSnapshot(t, "train without --resume", before, snapshot(t, part))

	rcfg := cfg
	rcfg.Resume = true
	res := trainOK(t, rcfg, testSets(), part)
	if !res.Finished || res.Position.Step != 6 {
		t.Errorf("resumed run result %+v", res)
	}
	a, err := readCheckpoint(filepath.Join(full, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	b, err := readCheckpoint(filepath.Join(part, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	va, vb := tensorValues(a.State), tensorValues(b.State)
	maxDiff := 0.0
	for i := range va {
		for k := range va[i] {
			maxDiff = math.Max(maxDiff, math.Abs(float64(va[i][k]-vb[i][k])))
		}
	}
	t.Logf("resumed vs uninterrupted: largest difference of any weight or Adam moment %g", maxDiff)
	if maxDiff > 1e-5 {
		t.Errorf("resumed run's final state differs from the uninterrupted run's by %g", maxDiff)
	}
	sameMetrics(t, metricsWithoutWall(t, full), metricsWithoutWall(t, part))

	// Resuming a finished run does nothing.
	before = snapshot(t, part)
	trainOK(t, rcfg, testSets(), part)
	sameSnapshot(t, "resume of a finished run", before, snapshot(t, part))
}

// TestInterruptDuringEvaluation cancels right after the last step of an
// epoch (before its evaluation): the resumed run still matches.
func TestInterruptAtEpochEnd(t *testing.T) {
	cfg := testConfig(t)
	cfg.Epochs = 1
	full := filepath.Join(t.TempDir(), "full")
	trainOK(t, cfg, testSets(), full)
	part := filepath.Join(t.TempDir(), "part")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	icfg := cfg
	icfg.AfterStep = func(step int64) {
		if step == 3 {
			cancel()
		}
	}
	testutil.Within(t, testTimeout, func() {
		if _, err := Train(ctx, icfg, testSets(), part); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
	rcfg := cfg
	rcfg.Resume = true
	trainOK(t, rcfg, testSets(), part)
	sameMetrics(t, metricsWithoutWall(t, full), metricsWithoutWall(t, part))
}

func TestForceReplacesRun(t *testing.T) {
	cfg := testConfig(t)
	cfg.Epochs = 1
	dir := filepath.Join(t.TempDir(), "run")
	r1 := trainOK(t, cfg, testSets(), dir)
	cfg.Force = true
	cfg.Seed = 9
	r2 := trainOK(t, cfg, testSets(), dir)
	if r1.ID == r2.ID {
		t.Errorf("replaced run kept its ID")
	}
	run, err := OpenRun(dir, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if run.Info().Config.Seed != 9 || run.ID() != r2.ID {
		t.Errorf("after --force the run is seed %d id %s, want seed 9 id %s", run.Info().Config.Seed, run.ID(), r2.ID)
	}
}
