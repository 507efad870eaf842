package report

import (
	"errors"
	"fmt"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/train"
)

// PointSet is one cloud of a run's LS figure: encodings (n x nd) and labels
// (indices of the run's classes).
type PointSet struct {
	// Name is the legend's name; the count is appended ("train (650)").
	Name string
	Z    []float32
	// Y are the labels; -1 is unlabelled (drawn grey).
	Y []int32
	// Large draws the generalization style: large outlined points.
	Large bool
	// Max, when > 0, thins the cloud evenly to at most Max points
	// (plot.Thin; the legend says so).
	Max int
}

// LSView is one LS figure of a run: its title and view.
type LSView struct {
	Title string
	View  plot.View
}

// RunFigureSpec is what a run's figures are drawn from.
type RunFigureSpec struct {
	Classes []string
	// Layout is the configured layout (centres and r_c circles); Sectors,
	// for polar runs, replaces the circles by the shaded prohibited
	// sectors.
	Layout  *latent.Layout
	Sectors *latent.Sectors
	ND      int
	Points  []PointSet
	// Views are the LS figures to draw, one per view.
	Views []LSView
	// Mode, CurvesTitle and Metrics (metrics.jsonl) give the training
	// curves; without epoch lines there are none (RunFigures.Curves nil).
	Mode        model.Mode
	CurvesTitle string
	Metrics     []train.MetricsLine
	// Evals get a confusion matrix each, titled ConfusionTitle(eval).
	Evals          []*train.EvalResult
	ConfusionTitle func(*train.EvalResult) string
}

// RunFigures are a run's figures, not yet written.
type RunFigures struct {
	// LS has one figure per RunFigureSpec.Views.
	LS []*plot.Figure
	// Curves is nil when the run has no finished epoch.
	Curves *plot.Figure
	// Confusion has one figure per RunFigureSpec.Evals.
	Confusion []*plot.Figure
}

// DrawRun draws a run's figures: the LS scatter in each view, the
// training curves and the confusion matrices. lsconf plot, the demo and
// the reproduction all draw a run with it.
func DrawRun(spec RunFigureSpec) (RunFigures, error) {
	var out RunFigures
	sc := plot.ScatterSpec{Classes: spec.Classes, Layout: spec.Layout}
	if spec.Sectors != nil {
		sc.Sectors, sc.Layout = spec.Sectors, nil
	}
	for _, p := range spec.Points {
		pts, labels := plot.Points(p.Z, p.Y, spec.ND)
		name := fmt.Sprintf("%s (%d)", p.Name, len(pts))
		cloud := plot.TrainCloud(name, pts, labels)
		if p.Large {
			cloud = plot.GeneralizationCloud(name, pts, labels)
		}
		sc.Clouds = append(sc.Clouds, plot.Thin(cloud, p.Max))
	}
	for _, v := range spec.Views {
		sc.Title, sc.View = v.Title, v.View
		fig, err := plot.Scatter(sc)
		if err != nil {
			return out, fmt.Errorf("LS figure: %w", err)
		}
		out.LS = append(out.LS, fig)
	}
	fig, err := TrainingCurves(spec.CurvesTitle, spec.Mode, spec.Metrics)
	switch {
	case errors.Is(err, ErrNoEpochs):
	case err != nil:
		return out, err
	default:
		out.Curves = fig
	}
	for _, e := range spec.Evals {
		fig, err := plot.Confusion(plot.ConfusionSpec{Title: spec.ConfusionTitle(e), Classes: e.Classes, Counts: e.Confusion})
		if err != nil {
			return out, fmt.Errorf("confusion: %w", err)
		}
		out.Confusion = append(out.Confusion, fig)
	}
	return out, nil
}
