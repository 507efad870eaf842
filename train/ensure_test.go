package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/internal/testutil"
)

// TestEnsure: the training entry point owns new / resume / done. An
// interrupted run resumes to the same metrics as an uninterrupted one, a
// finished one is left alone, a run of other settings is refused, and a
// folder whose run stopped before its first checkpoint starts over.
func TestEnsure(t *testing.T) {
	cfg := testConfig(t)
	cfg.Epochs = 1
	full := filepath.Join(t.TempDir(), "full")
	trainOK(t, cfg, testSets(), full)
	part := filepath.Join(t.TempDir(), "part")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	icfg := cfg
	icfg.AfterStep = func(step int64) {
		if step == 2 {
			cancel()
		}
	}
	testutil.Within(t, testTimeout, func() {
		if _, _, err := Ensure(ctx, icfg, testSets(), part); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
	for _, c := range []struct {
		name string
		edit func(*Config)
		dir  string
		want RunState
		err  error
	}{
		{"interrupted resumes", nil, part, RunResume, nil},
		{"finished is done", nil, part, RunDone, nil},
		{"other settings refused", func(c *Config) { c.Epochs = 2 }, part, RunNew, ErrOtherSettings},
		{"empty folder is new", nil, filepath.Join(t.TempDir(), "new"), RunNew, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc := cfg
			if c.edit != nil {
				c.edit(&rc)
			}
			var heard []RunState
			rc.OnState = func(s RunState) { heard = append(heard, s) }
			testutil.Within(t, testTimeout, func() {
				st, res, err := Ensure(context.Background(), rc, testSets(), c.dir)
				if !errors.Is(err, c.err) || (c.err == nil && err != nil) {
					t.Fatalf("error %v, want %v", err, c.err)
				}
				if c.err != nil {
					return
				}
				if st != c.want || len(heard) != 1 || heard[0] != st || (res == nil) != (st == RunDone) {
					t.Fatalf("state %s (heard %v), result %v; want %s", st, heard, res, c.want)
				}
			})
		})
	}
	sameMetrics(t, metricsWithoutWall(t, full), metricsWithoutWall(t, part))
	// run.json without a checkpoint (stopped before the first one): new,
	// over the old files.
	stale := filepath.Join(t.TempDir(), "stale")
	trainOK(t, cfg, testSets(), stale)
	for _, f := range []string{CheckpointFile, EvalFile} {
		os.Remove(filepath.Join(stale, f))
	}
	scfg := cfg
	scfg.Data.TrainLen, scfg.Data.TestLen, scfg.Data.GenLen = 96, 30, 12
	st, force, err := StateOf(stale, scfg)
	if err != nil || st != RunNew || !force {
		t.Fatalf("stale run: %s, force %v, %v", st, force, err)
	}
}
