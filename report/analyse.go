package report

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/train"
)

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

// analysisCache is runs/<name>/repro-analysis.json: what analyse computes
// from a finished run, valid while the run's ID is the same.
type analysisCache struct {
	ID     string            `json:"id"`
	Train  *train.EvalResult `json:"train"`
	Points Encodings         `json:"points"`
}

// AnalysisFile is the cache of a run's analysis in its folder.
const AnalysisFile = "repro-analysis.json"

// analyse reads a finished run's evaluation and metrics, and encodes its
// training and generalization sets (or reads them from the cache when the
// run has not changed). cached reports the latter.
func analyse(ctx context.Context, cfg ReproConfig, e Experiment, rs reproSets) (r *RunResult, cached bool, err error) {
	dir := runDir(cfg.Out, e)
	var ev train.EvalReport
	if err := readJSON(filepath.Join(dir, train.EvalFile), &ev); err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	if ev.Test == nil || ev.Gen == nil {
		return nil, false, fmt.Errorf("repro %s: eval.json lacks the test or generalization evaluation", e.Name())
	}
	metrics, err := train.ReadMetrics(filepath.Join(dir, train.MetricsFile))
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	r = &RunResult{Experiment: e, Dir: filepath.ToSlash(filepath.Join(RunsDir, e.Name())), ID: ev.ID,
		Epochs: ev.Position.Epoch, Steps: ev.Position.Step, Test: ev.Test, Gen: ev.Gen}
	for _, m := range metrics {
		if m.Kind == train.KindEpoch {
			r.Metrics = append(r.Metrics, m)
			r.WallSeconds = m.WallSeconds
		}
	}
	cachePath := filepath.Join(dir, AnalysisFile)
	var c analysisCache
	if err := readJSON(cachePath, &c); err == nil && c.ID == ev.ID && c.Train != nil {
		r.Train, r.Points = c.Train, c.Points
		return r, true, nil
	}
	sets, err := rs.split(cfg, e)
	if err != nil {
		return nil, false, err
	}
	run, err := train.OpenRun(dir, cfg.Engine)
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	defer run.Close()
	if run.ID() != ev.ID {
		return nil, false, fmt.Errorf("repro %s: the checkpoint (model %s) is not the one eval.json evaluated (%s)", e.Name(), run.ID(), ev.ID)
	}
	classes := run.Classes()
	tr, err := encodeSet(ctx, run, sets.Train, classes, "train")
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	gen, err := encodeSet(ctx, run, sets.Gen, classes, "gen")
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	r.Train = tr.Eval
	r.Points = Encodings{ND: run.Layout().ND(), ZTrain: tr.Z, YTrain: tr.Labels, ZGen: gen.Z, YGen: gen.Labels}
	b, err := json.Marshal(analysisCache{ID: ev.ID, Train: r.Train, Points: r.Points})
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	if err := atomicfile.Write(cachePath, b); err != nil {
		return nil, false, err
	}
	return r, false, nil
}

// encodedSet is a set encoded by a run and scored.
type encodedSet struct {
	*train.Inference
	Eval *train.EvalResult
}

// encodeSet encodes a whole set with a run and scores it.
func encodeSet(ctx context.Context, run *train.Run, set data.Set, classes []string, name string) (encodedSet, error) {
	inf, err := run.InferSet(ctx, set)
	if err != nil {
		return encodedSet{}, fmt.Errorf("%s set: %w", name, err)
	}
	ev, err := train.Score(run.Layout(), classes, inf.Z, inf.Logits, inf.Labels)
	if err != nil {
		return encodedSet{}, fmt.Errorf("%s set: %w", name, err)
	}
	ev.Name = name
	return encodedSet{Inference: inf, Eval: ev}, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
