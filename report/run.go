package report

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// Files of a report folder (the demo's and the reproduction's).
const (
	ReportMD   = "report.md"
	ReportHTML = "report.html"
	ReportJSON = "report.json"
)

// Experiment is one training run of the reproduction: a loss mode, a
// split, the experiment's seed (initial weights, split, augmentations and
// batch order, as in the paper) and the encoder configuration.
type Experiment struct {
	Mode    model.Mode     `json:"mode"`
	Split   data.SplitMode `json:"split"`
	Seed    uint64         `json:"seed"`
	Encoder string         `json:"encoder"`
}

// Polar reports whether the experiment uses a polar/sector encoder.
func (e Experiment) Polar() bool { return e.Encoder != "" && e.Encoder != "plain" }

// Name is the experiment's folder name: "ceg-pre-s1", "ce-post-s2",
// "polar-sectors-ce-pre-s1" (no characters that need quoting in paths or
// URLs).
func (e Experiment) Name() string {
	m := "ce"
	if e.Mode == model.ModeCEG {
		m = "ceg"
	}
	n := fmt.Sprintf("%s-%s-s%d", m, e.Split, e.Seed)
	if e.Polar() {
		n = "polar-" + e.Encoder + "-" + n
	}
	return n
}

// Label is the experiment for people: "ce+g pre, seed 1".
func (e Experiment) Label() string {
	l := fmt.Sprintf("%s %s, seed %d", e.Mode, e.Split, e.Seed)
	if e.Polar() {
		l = "polar encoder (" + e.Encoder + "), " + l
	}
	return l
}

// RunResult is one finished experiment as the report sees it.
type RunResult struct {
	Experiment Experiment `json:"experiment"`
	// Dir is the run folder relative to the reproduction folder.
	Dir string `json:"dir"`
	// ID is the run's model identity.
	ID string `json:"id"`
	// Epochs and Steps the run trained; WallSeconds its training time
	// (across interruptions).
	Epochs      int     `json:"epochs"`
	Steps       int64   `json:"steps"`
	WallSeconds float64 `json:"wall_seconds"`
	// Train, Test and Gen evaluate the final model on the training set
	// (augmented, as trained on), the test set and the generalization set.
	Train *train.EvalResult `json:"train"`
	Test  *train.EvalResult `json:"test"`
	Gen   *train.EvalResult `json:"gen"`
	// Metrics are the run's epoch lines (training curves).
	Metrics []train.MetricsLine `json:"-"`
	// Encodings of the training and generalization sets, for the figures.
	Points Encodings `json:"-"`
}

// Encodings are the LS encodings of a run's training and generalization
// sets with their labels (indexes into the run's classes).
type Encodings struct {
	ND     int       `json:"nd"`
	ZTrain []float32 `json:"z_train"`
	YTrain []int32   `json:"y_train"`
	ZGen   []float32 `json:"z_gen"`
	YGen   []int32   `json:"y_gen"`
}

// EncodedSet is a set encoded by a run and scored.
type EncodedSet struct {
	*train.Inference
	Eval *train.EvalResult
}

// EncodeSet encodes a whole set with a run and scores it.
func EncodeSet(ctx context.Context, run *train.Run, set data.Set, classes []string, name string) (EncodedSet, error) {
	inf, err := run.InferSet(ctx, set)
	if err != nil {
		return EncodedSet{}, fmt.Errorf("%s set: %w", name, err)
	}
	ev, err := train.Score(run.Layout(), classes, inf.Z, inf.Logits, inf.Labels)
	if err != nil {
		return EncodedSet{}, fmt.Errorf("%s set: %w", name, err)
	}
	ev.Name = name
	return EncodedSet{Inference: inf, Eval: ev}, nil
}

// RunState is what a run folder holds, as RunStateOf finds it.
type RunState int

const (
	RunNew RunState = iota
	RunResume
	RunDone
)

// RunStateOf inspects a run folder and checks that a run in it is the one
// asked for (same recorded settings and data sizes).
func RunStateOf(dir string, want train.Config) (RunState, bool, error) {
	if _, err := os.Stat(filepath.Join(dir, train.RunFile)); errors.Is(err, os.ErrNotExist) {
		return RunNew, false, nil
	}
	info, err := train.ReadRunInfo(dir)
	if err != nil {
		return RunNew, false, fmt.Errorf("%w (remove the folder to train it again)", err)
	}
	if err := sameSettings(info, want); err != nil {
		return RunNew, false, fmt.Errorf("%s holds a run with other settings: %w; use another --out or remove it", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, train.EvalFile)); err == nil {
		return RunDone, false, nil
	}
	if _, err := os.Stat(filepath.Join(dir, train.CheckpointFile)); err == nil {
		return RunResume, false, nil
	}
	// run.json written, stopped before the first checkpoint: start over.
	return RunNew, true, nil
}

// sameSettings compares a run's run.json with the settings asked for.
func sameSettings(info *train.RunInfo, want train.Config) error {
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
