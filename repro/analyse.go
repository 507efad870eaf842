package repro

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/lsconf/lsconf/report"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/train"
)

// analysisCache is runs/<name>/repro-analysis.json: what analyse computes
// from a finished run, valid while the run's ID is the same.
type analysisCache struct {
	ID     string            `json:"id"`
	Train  *train.EvalResult `json:"train"`
	Points report.Encodings  `json:"points"`
}

// AnalysisFile is the cache of a run's analysis in its folder.
const AnalysisFile = "repro-analysis.json"

// analyse reads a finished run's evaluation and metrics, and encodes its
// training and generalization sets (or reads them from the cache when the
// run has not changed). cached reports the latter.
func analyse(ctx context.Context, cfg Config, e Experiment, rs reproSets) (r *RunResult, cached bool, err error) {
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
	tr, err := report.EncodeSet(ctx, run, sets.Train, classes, "train")
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	gen, err := report.EncodeSet(ctx, run, sets.Gen, classes, "gen")
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	r.Train = tr.Eval
	r.Points = report.Encodings{ND: run.Layout().ND(), ZTrain: tr.Z, YTrain: tr.Labels, ZGen: gen.Z, YGen: gen.Labels}
	b, err := json.Marshal(analysisCache{ID: ev.ID, Train: r.Train, Points: r.Points})
	if err != nil {
		return nil, false, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	if err := atomicfile.Write(cachePath, b); err != nil {
		return nil, false, err
	}
	return r, false, nil
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
