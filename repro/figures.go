package repro

import (
	"context"
	"fmt"
	"image"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/train"
)

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
func drawReproFigures(ctx context.Context, cfg Config, l *latent.Layout, runs []*RunResult) (*reproFigures, error) {
	w := report.FigureWriter{Root: cfg.Out, Dir: FiguresDir, DPI: cfg.DPI, SVG: cfg.SVG}
	f := &reproFigures{Run: map[string]runFigures{}}
	g := gridImages{ls: map[string][]image.Image{}, confT: map[cellKey]image.Image{}, confG: map[cellKey]image.Image{}, curves: map[cellKey]image.Image{}}
	lsImg, confT, confG, curves := g.ls, g.confT, g.confG, g.curves
	cols := Table2Columns()
	for _, r := range runs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e := r.Experiment
		name := e.Name()
		var rf runFigures
		var views []report.LSView
		switch {
		case e.Polar():
			views = []report.LSView{{Title: e.Label() + ", auto view", View: plot.View{}}}
		case e.Mode == model.ModeCEG:
			views = []report.LSView{{Title: e.Label() + ", [-2, 2]", View: plot.View{Half: plot.ConfiguredHalf}}}
		default:
			views = []report.LSView{{Title: e.Label() + ", auto view", View: plot.View{}}, {Title: e.Label() + ", [-40, 40]", View: plot.View{Half: plot.WideHalf}}}
		}
		figs, err := report.DrawRunResult(r.FigureInput(), l, views, func(set *train.EvalResult) string { return fmt.Sprintf("%s: %s set", e.Label(), set.Name) })
		if err != nil {
			return nil, fmt.Errorf("repro %s: %w", name, err)
		}
		for i, fig := range figs.LS {
			suffix := []string{"", "-wide"}[i]
			p, img, err := w.Save(fig, "ls-"+name+suffix)
			if err != nil {
				return nil, err
			}
			rf.LS = append(rf.LS, p)
			lsImg[name] = append(lsImg[name], img)
		}
		// Curves and confusion matrices of the Table 2 runs are shown in
		// grids only (keeps the report small); the polar runs' get files.
		save := w.Save
		if !e.Polar() {
			save = w.Render
		}
		var crv, ct, cg image.Image
		if rf.Curves, crv, err = save(figs.Curves, "curves-"+name); err != nil {
			return nil, err
		}
		for i, set := range []*train.EvalResult{r.Test, r.Gen} {
			p, img, err := save(figs.Confusion[i], "confusion-"+name+"-"+set.Name)
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
	if err := drawReproGrids(w, cfg, runs, g, f); err != nil {
		return nil, err
	}
	return f, nil
}

// cellKey is a cell of the per-run grids: a Table 2 column and a seed.
type cellKey struct {
	col  int
	seed uint64
}

// gridImages are the rendered per-run figures the grids are made of: LS
// figures by run name, confusion matrices and curves by cell.
type gridImages struct {
	ls                   map[string][]image.Image
	confT, confG, curves map[cellKey]image.Image
}

// drawReproGrids draws the grids of Figures 7-9, of the confusion matrices
// and of the training curves, and the f_d curve of Figure 6, into f.
func drawReproGrids(w report.FigureWriter, cfg Config, runs []*RunResult, g gridImages, f *reproFigures) error {
	lsImg, confT, confG, curves := g.ls, g.confT, g.confG, g.curves
	cols := Table2Columns()
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
		return w.SaveImage(g, name)
	}
	var err error
	if f.Fig7, err = lsGrid(model.ModeCEG, 0, "L_CE + L_G: training (small) and generalization (large) encodings, view [-2, 2] (paper Fig. 7)", "fig7-ceg-grid"); err != nil {
		return err
	}
	if f.Fig8, err = lsGrid(model.ModeCE, 0, "L_CE: automatic view (paper Fig. 8)", "fig8-ce-auto-grid"); err != nil {
		return err
	}
	if f.Fig9, err = lsGrid(model.ModeCE, 1, "L_CE: view [-40, 40] (paper Fig. 9)", "fig9-ce-wide-grid"); err != nil {
		return err
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
		return w.SaveImage(g, name)
	}
	if f.ConfTest, err = byCell(confT, "Confusion matrices, test set (rows: true class, columns: predicted)", "confusion-test-grid", 420); err != nil {
		return err
	}
	if f.ConfGen, err = byCell(confG, "Confusion matrices, generalization set", "confusion-gen-grid", 420); err != nil {
		return err
	}
	if f.Curves, err = byCell(curves, "Training curves per run", "curves-grid", 420); err != nil {
		return err
	}
	fd, err := plot.FDCurve(plot.FDSpec{Radii: []float64{2}})
	if err != nil {
		return err
	}
	if f.FD, _, err = w.Save(fd, "fig6-fd-rc2"); err != nil {
		return err
	}
	return nil
}
