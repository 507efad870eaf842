package train

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// RunState is what a run folder held when Ensure (or StateOf) looked.
type RunState int

// The states of a run folder.
const (
	// RunNew: no run yet (or one stopped before its first checkpoint);
	// it is trained from the start.
	RunNew RunState = iota
	// RunResume: an interrupted run of the same settings; it resumes
	// from its checkpoint.
	RunResume
	// RunDone: the run of the same settings is finished (eval.json).
	RunDone
)

// String is "new", "resume" or "done".
func (s RunState) String() string {
	switch s {
	case RunResume:
		return "resume"
	case RunDone:
		return "done"
	}
	return "new"
}

// ErrOtherSettings is wrapped by the error of StateOf and Ensure when the
// run folder holds a run of other settings or data.
var ErrOtherSettings = errors.New("the folder holds a run with other settings")

// StateOf inspects a run folder and checks that a run in it is the one
// cfg asks for (the same recorded settings, layout and data sizes). force
// is set when run.json exists but no checkpoint does (the run stopped
// before its first one): it is started again over its files.
func StateOf(dir string, cfg Config) (st RunState, force bool, err error) {
	want := cfg.WithDefaults()
	if _, err := os.Stat(filepath.Join(dir, RunFile)); errors.Is(err, os.ErrNotExist) {
		return RunNew, false, nil
	}
	info, err := ReadRunInfo(dir)
	if err != nil {
		return RunNew, false, err
	}
	if err := sameSettings(info, want); err != nil {
		return RunNew, false, fmt.Errorf("%s: %w: %w", dir, ErrOtherSettings, err)
	}
	if _, err := os.Stat(filepath.Join(dir, EvalFile)); err == nil {
		return RunDone, false, nil
	}
	if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
		return RunResume, false, nil
	}
	return RunNew, true, nil
}

// sameSettings compares a run's run.json with the settings asked for.
func sameSettings(info *RunInfo, want Config) error {
	a, _ := json.Marshal(info.Config)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		return fmt.Errorf("run.json has %s, asked for %s", a, b)
	}
	if !info.Layout.Equal(want.Layout) {
		return errors.New("the latent layout differs")
	}
	d, w := info.Data, want.Data
	if d.Split != w.Split || d.AugPerImage != w.AugPerImage || d.DataSeed != w.DataSeed ||
		d.TrainLen != w.TrainLen || d.TestLen != w.TestLen || d.GenLen != w.GenLen {
		return fmt.Errorf("data %+v, asked for %+v", d, w)
	}
	return nil
}

// Ensure is the one entry point of a training run that may already exist:
// it finishes the run cfg describes in dir, whatever dir holds. A new
// folder is trained from the start, an interrupted run of the same
// settings resumes from its checkpoint, a finished one is left as it is
// (the Result is then nil). A folder holding a run of other settings is an
// error wrapping ErrOtherSettings. cfg.Resume and cfg.Force are set by
// Ensure, and so are the data sizes (cfg.Data's lengths, from sets);
// cfg.OnState, when set, hears the state before anything runs.
func Ensure(ctx context.Context, cfg Config, sets Sets, dir string) (RunState, *Result, error) {
	if sets.Train != nil {
		cfg.Data.TrainLen = sets.Train.Len()
	}
	cfg.Data.TestLen, cfg.Data.GenLen = setLen(sets.Test), setLen(sets.Gen)
	if err := cfg.withOutliers(sets.Outliers); err != nil {
		return RunNew, nil, fmt.Errorf("train %s: %w", dir, err)
	}
	st, force, err := StateOf(dir, cfg)
	if err != nil {
		return st, nil, err
	}
	if cfg.OnState != nil {
		cfg.OnState(st)
	}
	if st == RunDone {
		return st, nil, nil
	}
	cfg.Resume, cfg.Force = st == RunResume, force
	res, err := Train(ctx, cfg, sets, dir)
	return st, res, err
}
