package repro

import (
	"fmt"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/train"
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
	Points report.Encodings `json:"-"`
}

// FigureInput is what the run's figures are drawn from.
func (r *RunResult) FigureInput() report.RunFigureInput {
	return report.RunFigureInput{Title: r.Experiment.Label(), Mode: r.Experiment.Mode, Encoder: r.Experiment.Encoder,
		Test: r.Test, Gen: r.Gen, Metrics: r.Metrics, Points: r.Points}
}
