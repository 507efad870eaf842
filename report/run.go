package report

import (
	"context"
	"fmt"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/train"
)

// Files of a report folder (the demo's and the reproduction's).
const (
	ReportMD   = "report.md"
	ReportHTML = "report.html"
	ReportJSON = "report.json"
)

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
	ev, err := train.Score(run.Layout(), run.OpenSetRule(), classes, inf.Z, inf.Logits, inf.Labels)
	if err != nil {
		return EncodedSet{}, fmt.Errorf("%s set: %w", name, err)
	}
	ev.Name = name
	return EncodedSet{Inference: inf, Eval: ev}, nil
}
