package report

import (
	"context"
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

// figWriter renders figures into a folder as PNG (and SVG when asked),
// and returns paths relative to the report.
type figWriter struct {
	root string // the report's folder
	dir  string // figures folder relative to root
	dpi  int
	svg  bool
}

// save renders fig as name.png (and name.svg); it returns the relative
// path of the PNG and the rendered image (for grids).
func (w figWriter) save(fig *plot.Figure, name string) (string, image.Image, error) {
	img, err := fig.Image(w.dpi)
	if err != nil {
		return "", nil, fmt.Errorf("figure %s: %w", name, err)
	}
	rel := filepath.ToSlash(filepath.Join(w.dir, name+".png"))
	if err := plot.SavePNG(img, filepath.Join(w.root, rel)); err != nil {
		return "", nil, fmt.Errorf("figure %s: %w", name, err)
	}
	if w.svg {
		var b svgBuffer
		if err := fig.WriteSVG(&b); err != nil {
			return "", nil, fmt.Errorf("figure %s: %w", name, err)
		}
		if err := atomicfile.Write(filepath.Join(w.root, w.dir, name+".svg"), b.b); err != nil {
			return "", nil, err
		}
	}
	return rel, img, nil
}

// render renders fig without writing it (for figures shown only in a
// grid); the path is "".
func (w figWriter) render(fig *plot.Figure, name string) (string, image.Image, error) {
	img, err := fig.Image(w.dpi)
	if err != nil {
		return "", nil, fmt.Errorf("figure %s: %w", name, err)
	}
	return "", img, nil
}

// saveImage writes a raster figure (a grid) as name.png.
func (w figWriter) saveImage(img image.Image, name string) (string, error) {
	rel := filepath.ToSlash(filepath.Join(w.dir, name+".png"))
	if err := plot.SavePNG(img, filepath.Join(w.root, rel)); err != nil {
		return "", fmt.Errorf("figure %s: %w", name, err)
	}
	return rel, nil
}

type svgBuffer struct{ b []byte }

func (s *svgBuffer) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }

// lsScatter draws a run's LS: training points small, generalization
// points large, the layout's centres and r_c circles (not for polar
// runs, whose prohibited sectors are shaded instead).
func lsScatter(r *RunResult, l *latent.Layout, title string, view plot.View) (*plot.Figure, error) {
	nd := r.Points.ND
	zt, yt := plot.Points(r.Points.ZTrain, r.Points.YTrain, nd)
	zg, yg := plot.Points(r.Points.ZGen, r.Points.YGen, nd)
	spec := plot.ScatterSpec{
		Title:   title,
		Classes: r.Test.Classes,
		Clouds: []plot.Cloud{
			plot.TrainCloud(fmt.Sprintf("train (%d)", len(yt)), zt, yt),
			plot.GeneralizationCloud(fmt.Sprintf("generalization (%d)", len(yg)), zg, yg),
		},
		Layout: l,
		View:   view,
	}
	if r.Experiment.Polar() {
		s, err := latent.ParseSectors(r.Experiment.Encoder, len(r.Test.Classes))
		if err != nil {
			return nil, err
		}
		spec.Sectors, spec.Layout = s, nil
	}
	return plot.Scatter(spec)
}

// curvesOf draws a run's training curves from its epoch lines.
func curvesOf(r *RunResult) (*plot.Figure, error) {
	return TrainingCurves(r.Experiment.Label(), r.Experiment.Mode, r.Metrics)
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
		if mode == model.ModeCEG {
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

// runFigures are one run's figures (paths relative to the report).
type runFigures struct {
	LS       []string // ce+g: [-2, 2]; ce: auto, [-40, 40]; polar: auto
	Curves   string   // polar runs only ("" otherwise: shown in the grids)
	ConfTest string
	ConfGen  string
}

// reproFigures are all the figures of the report.
type reproFigures struct {
	Fig7, Fig8, Fig9  string // grids of the LS scatters
	FD                string
	Polar             []string
	ConfTest, ConfGen string // grids
	Curves            string // grid
	Run               map[string]runFigures
}

// drawReproFigures draws every figure of the reproduction report.
func drawReproFigures(ctx context.Context, cfg ReproConfig, l *latent.Layout, runs []*RunResult) (*reproFigures, error) {
	w := figWriter{root: cfg.Out, dir: FiguresDir, dpi: cfg.DPI, svg: cfg.SVG}
	f := &reproFigures{Run: map[string]runFigures{}}
	type cellKey struct {
		col  int
		seed uint64
	}
	lsImg := map[string][]image.Image{} // run name -> its LS images
	confT, confG, curves := map[cellKey]image.Image{}, map[cellKey]image.Image{}, map[cellKey]image.Image{}
	cols := Table2Columns()
	for _, r := range runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := r.Experiment
		name := e.Name()
		var rf runFigures
		var views []plot.View
		var viewNames []string
		switch {
		case e.Polar():
			views, viewNames = []plot.View{{}}, []string{"auto view"}
		case e.Mode == model.ModeCEG:
			views, viewNames = []plot.View{{Half: plot.ConfiguredHalf}}, []string{"[-2, 2]"}
		default:
			views, viewNames = []plot.View{{}, {Half: plot.WideHalf}}, []string{"auto view", "[-40, 40]"}
		}
		for i, v := range views {
			fig, err := lsScatter(r, l, fmt.Sprintf("%s, %s", e.Label(), viewNames[i]), v)
			if err != nil {
				return nil, fmt.Errorf("repro %s: %w", name, err)
			}
			suffix := []string{"", "-wide"}[i]
			p, img, err := w.save(fig, "ls-"+name+suffix)
			if err != nil {
				return nil, err
			}
			rf.LS = append(rf.LS, p)
			lsImg[name] = append(lsImg[name], img)
		}
		// Curves and confusion matrices of the Table 2 runs are shown in
		// grids only (keeps the report small); the polar runs' get files.
		save := w.save
		if !e.Polar() {
			save = w.render
		}
		fig, err := curvesOf(r)
		if err != nil {
			return nil, fmt.Errorf("repro %s: %w", name, err)
		}
		var crv, ct, cg image.Image
		if rf.Curves, crv, err = save(fig, "curves-"+name); err != nil {
			return nil, err
		}
		for _, set := range []*train.EvalResult{r.Test, r.Gen} {
			fig, err := plot.Confusion(plot.ConfusionSpec{Title: fmt.Sprintf("%s: %s set", e.Label(), set.Name), Classes: set.Classes, Counts: set.Confusion})
			if err != nil {
				return nil, fmt.Errorf("repro %s: %w", name, err)
			}
			p, img, err := save(fig, "confusion-"+name+"-"+set.Name)
			if err != nil {
				return nil, err
			}
			if set == r.Test {
				rf.ConfTest, ct = p, img
			} else {
				rf.ConfGen, cg = p, img
			}
		}
		f.Run[name] = rf
		if e.Polar() {
			f.Polar = append(f.Polar, rf.LS[0])
			continue
		}
		for ci, c := range cols {
			if c.Mode == e.Mode && c.Split == e.Split {
				k := cellKey{ci, e.Seed}
				confT[k], confG[k], curves[k] = ct, cg, crv
			}
		}
	}
	seedCaps := make([]string, len(cfg.Seeds))
	for i, s := range cfg.Seeds {
		seedCaps[i] = fmt.Sprintf("seed %d", s)
	}
	splitCaps := []string{"pre", "post"}
	lsGrid := func(mode model.Mode, view int, title, name string) (string, error) {
		cells := make([][]image.Image, 2)
		for si, sp := range []string{"pre", "post"} {
			for _, s := range cfg.Seeds {
				var img image.Image
				for _, r := range runs {
					e := r.Experiment
					if !e.Polar() && e.Mode == mode && string(e.Split) == sp && e.Seed == s && view < len(lsImg[e.Name()]) {
						img = lsImg[e.Name()][view]
					}
				}
				cells[si] = append(cells[si], img)
			}
		}
		g, err := plot.Grid(plot.GridSpec{Title: title, Cells: cells, RowCaptions: splitCaps, ColCaptions: seedCaps, MaxCellWidth: 520})
		if err != nil {
			return "", fmt.Errorf("figure %s: %w", name, err)
		}
		return w.saveImage(g, name)
	}
	var err error
	if f.Fig7, err = lsGrid(model.ModeCEG, 0, "L_CE + L_G: training (small) and generalization (large) encodings, view [-2, 2] (paper Fig. 7)", "fig7-ceg-grid"); err != nil {
		return nil, err
	}
	if f.Fig8, err = lsGrid(model.ModeCE, 0, "L_CE: automatic view (paper Fig. 8)", "fig8-ce-auto-grid"); err != nil {
		return nil, err
	}
	if f.Fig9, err = lsGrid(model.ModeCE, 1, "L_CE: view [-40, 40] (paper Fig. 9)", "fig9-ce-wide-grid"); err != nil {
		return nil, err
	}
	colCaps := make([]string, len(cols))
	for i, c := range cols {
		colCaps[i] = c.Label()
	}
	byCell := func(m map[cellKey]image.Image, title, name string, width int) (string, error) {
		cells := make([][]image.Image, len(cfg.Seeds))
		for si, s := range cfg.Seeds {
			for ci := range cols {
				cells[si] = append(cells[si], m[cellKey{ci, s}])
			}
		}
		g, err := plot.Grid(plot.GridSpec{Title: title, Cells: cells, RowCaptions: seedCaps, ColCaptions: colCaps, MaxCellWidth: width})
		if err != nil {
			return "", fmt.Errorf("figure %s: %w", name, err)
		}
		return w.saveImage(g, name)
	}
	if f.ConfTest, err = byCell(confT, "Confusion matrices, test set (rows: true class, columns: predicted)", "confusion-test-grid", 420); err != nil {
		return nil, err
	}
	if f.ConfGen, err = byCell(confG, "Confusion matrices, generalization set", "confusion-gen-grid", 420); err != nil {
		return nil, err
	}
	if f.Curves, err = byCell(curves, "Training curves per run", "curves-grid", 420); err != nil {
		return nil, err
	}
	fd, err := plot.FDCurve(plot.FDSpec{Radii: []float64{2}})
	if err != nil {
		return nil, err
	}
	if f.FD, _, err = w.save(fd, "fig6-fd-rc2"); err != nil {
		return nil, err
	}
	return f, nil
}
