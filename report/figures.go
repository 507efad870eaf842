package report

import (
	"errors"
	"fmt"
	"image"
	"math"
	"path/filepath"

	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/train"
)

// FigureWriter renders figures into a folder as PNG (and SVG when asked),
// and returns paths relative to the report.
type FigureWriter struct {
	Root string // the report's folder
	Dir  string // figures folder relative to Root
	DPI  int
	SVG  bool
}

// Save renders fig as name.png (and name.svg); it returns the relative
// path of the PNG and the rendered image (for grids).
func (w FigureWriter) Save(fig *plot.Figure, name string) (string, image.Image, error) {
	img, err := fig.Image(w.DPI)
	if err != nil {
		return "", nil, fmt.Errorf("figure %s: %w", name, err)
	}
	rel := filepath.ToSlash(filepath.Join(w.Dir, name+".png"))
	if err := plot.SavePNG(img, filepath.Join(w.Root, rel)); err != nil {
		return "", nil, fmt.Errorf("figure %s: %w", name, err)
	}
	if w.SVG {
		var b svgBuffer
		if err := fig.WriteSVG(&b); err != nil {
			return "", nil, fmt.Errorf("figure %s: %w", name, err)
		}
		if err := atomicfile.Write(filepath.Join(w.Root, w.Dir, name+".svg"), b.b); err != nil {
			return "", nil, err
		}
	}
	return rel, img, nil
}

// Render renders fig without writing it (for figures shown only in a
// grid); the path is "".
func (w FigureWriter) Render(fig *plot.Figure, name string) (string, image.Image, error) {
	img, err := fig.Image(w.DPI)
	if err != nil {
		return "", nil, fmt.Errorf("figure %s: %w", name, err)
	}
	return "", img, nil
}

// SaveImage writes a raster figure (a grid) as name.png.
func (w FigureWriter) SaveImage(img image.Image, name string) (string, error) {
	rel := filepath.ToSlash(filepath.Join(w.Dir, name+".png"))
	if err := plot.SavePNG(img, filepath.Join(w.Root, rel)); err != nil {
		return "", fmt.Errorf("figure %s: %w", name, err)
	}
	return rel, nil
}

type svgBuffer struct{ b []byte }

func (s *svgBuffer) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }

// RunFigureInput is a finished run (a reproduced one, the demo's) as its
// figures see it.
type RunFigureInput struct {
	// Title titles the training curves (the experiment's label).
	Title string
	Mode  model.Mode
	// Encoder is "plain" or a polar configuration (latent.ParseSectors).
	Encoder string
	// Test and Gen are the final evaluations, Metrics the epoch lines.
	Test, Gen *train.EvalResult
	Metrics   []train.MetricsLine
	// Points are the training and generalization encodings.
	Points Encodings
}

// RunFigureSpecOf is a finished run's RunFigureSpec: training points
// small, generalization points large, the layout's centres and r_c
// circles (not for polar runs, whose prohibited sectors are shaded
// instead), curves titled with the experiment, and the test and
// generalization confusion matrices.
func RunFigureSpecOf(r RunFigureInput, l *latent.Layout, views []LSView, confTitle func(*train.EvalResult) string) (RunFigureSpec, error) {
	spec := RunFigureSpec{
		Classes: r.Test.Classes, Layout: l, ND: r.Points.ND,
		Points: []PointSet{
			{Name: "train", Z: r.Points.ZTrain, Y: r.Points.YTrain},
			{Name: "generalization", Z: r.Points.ZGen, Y: r.Points.YGen, Large: true},
		},
		Views: views, Mode: r.Mode, CurvesTitle: r.Title, Metrics: r.Metrics,
		Evals: []*train.EvalResult{r.Test, r.Gen}, ConfusionTitle: confTitle,
	}
	if r.Encoder != "" && r.Encoder != "plain" {
		s, err := latent.ParseSectors(r.Encoder, len(r.Test.Classes))
		if err != nil {
			return spec, err
		}
		spec.Sectors = s
	}
	return spec, nil
}

// DrawRunResult draws a finished run's figures; a run without a finished
// epoch is an error.
func DrawRunResult(r RunFigureInput, l *latent.Layout, views []LSView, confTitle func(*train.EvalResult) string) (RunFigures, error) {
	spec, err := RunFigureSpecOf(r, l, views, confTitle)
	if err != nil {
		return RunFigures{}, err
	}
	figs, err := DrawRun(spec)
	if err == nil && figs.Curves == nil {
		err = ErrNoEpochs
	}
	return figs, err
}

// ErrNoEpochs is returned by TrainingCurves for a run that has not finished
// an epoch yet.
var ErrNoEpochs = errors.New("training curves: no epoch finished yet")

// TrainingCurves draws a run's training curves (loss, L_G, accuracies per
// epoch) from its metrics.jsonl lines; lines that are not epoch lines are
// skipped. ce runs get no L_G panel: there L_G is only measured, and with
// |z| in the tens exp(|z - C| - r_c) makes it meaningless.
func TrainingCurves(title string, mode model.Mode, lines []train.MetricsLine) (*plot.Figure, error) {
	var m plot.TrainingMetrics
	for _, l := range lines {
		if l.Kind != train.KindEpoch {
			continue
		}
		m.Epochs = append(m.Epochs, float64(l.Epoch))
		m.Loss, m.CE = append(m.Loss, l.Train.Loss), append(m.CE, l.Train.CE)
		if mode.TrainsLG() {
			m.LG = append(m.LG, l.Train.LG)
		}
		m.TrainAcc = append(m.TrainAcc, l.Train.Acc)
		m.TestAcc = append(m.TestAcc, accOf(l.Test))
		m.GenAcc = append(m.GenAcc, accOf(l.Gen))
	}
	if len(m.Epochs) == 0 {
		return nil, ErrNoEpochs
	}
	if len(m.Epochs) < minEpochPoints {
		if sm, ok := stepCurves(mode, lines); ok {
			m = sm
		}
	}
	return plot.TrainingCurves(title, m)
}

func accOf(s *train.EvalSummary) float64 {
	if s == nil {
		return math.NaN()
	}
	return s.Acc
}
