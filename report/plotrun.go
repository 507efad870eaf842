package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/train"
)

// PlotConfig is what lsconf plot draws.
type PlotConfig struct {
	// Run is the run folder, Out the folder for the figures (created).
	Run, Out string
	// Data and Gen are the sources drawn as small and large points
	// (data.LoadSource; "" = the run's own, data.NoSource = none).
	Data, Gen string
	// DataSeed generates the built-in textures when DataSeedSet; else the
	// run's data seed (1 when it has none).
	DataSeed    uint64
	DataSeedSet bool
	// Half is the LS view's half-width (0 = automatic).
	Half float64
	// DPI of the PNG files; SVG also writes SVG files.
	DPI int
	SVG bool
	// Engine configures the backend that encodes the images.
	Engine engine.Config
	// Log receives progress and notes (nil: none); Load is how image
	// folders are loaded.
	Log  io.Writer
	Load data.LoadOptions
}

// PlotRun draws a trained run's figures into cfg.Out (DrawRun): ls (the
// LS of cfg.Data and cfg.Gen), curves (when an epoch has finished) and
// confusion-test / confusion-gen (when the run is finished). It returns
// the PNG files written, in order.
func PlotRun(ctx context.Context, cfg PlotConfig) ([]string, error) {
	info, err := train.ReadRunInfo(cfg.Run)
	if err != nil {
		return nil, err
	}
	located := info.Data.Located(cfg.Run) // the recorded sources, from any working directory
	if cfg.Data == "" {
		cfg.Data = located.Train
	}
	if cfg.Gen == "" {
		cfg.Gen = located.Gen
	}
	seed := cfg.DataSeed
	if !cfg.DataSeedSet {
		seed = 1
		if info.Data.DataSeed != 0 {
			seed = info.Data.DataSeed
		}
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	run, err := train.OpenRun(cfg.Run, cfg.Engine)
	if err != nil {
		return nil, err
	}
	defer run.Close()
	title := fmt.Sprintf("%s: %s, encoder %s", filepath.Base(filepath.Clean(cfg.Run)), info.Config.Mode, info.Config.Encoder)
	spec := RunFigureSpec{
		Classes: run.Classes(), Layout: run.Layout(), Sectors: run.Sectors(), ND: run.Layout().ND(),
		Views: []LSView{{Title: title, View: plot.View{Half: cfg.Half}}}, Mode: info.Config.Mode, CurvesTitle: title,
		ConfusionTitle: func(e *train.EvalResult) string { return e.Name + " set (classifier head)" },
	}
	for _, set := range []struct {
		source, name string
		large        bool
	}{{cfg.Data, "images", false}, {cfg.Gen, "generalization", true}} {
		if set.source == "" || set.source == data.NoSource {
			continue
		}
		p, err := plotPoints(ctx, cfg, run, set.source, set.name, seed)
		if err != nil {
			return nil, err
		}
		p.Large, p.Max = set.large, MaxPlotPoints
		spec.Points = append(spec.Points, p)
	}
	if spec.Metrics, err = train.ReadMetrics(filepath.Join(cfg.Run, train.MetricsFile)); err != nil {
		return nil, err
	}
	rep, err := train.ReadEvalReport(cfg.Run)
	switch {
	case err == nil:
		for _, e := range []*train.EvalResult{rep.Test, rep.Gen} {
			if e != nil {
				spec.Evals = append(spec.Evals, e)
			}
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	case cfg.Log != nil:
		fmt.Fprintln(cfg.Log, "plot: the run is not finished (no eval.json): no confusion matrices")
	}
	figs, err := DrawRun(spec)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	return saveRunFigures(cfg, figs, spec.Evals)
}

// saveRunFigures writes PlotRun's figures: ls, curves (when drawn) and a
// confusion matrix per evaluation, as PNG (and SVG with cfg.SVG).
func saveRunFigures(cfg PlotConfig, figs RunFigures, evals []*train.EvalResult) ([]string, error) {
	var files []string
	save := func(fig *plot.Figure, name string) error {
		base := filepath.Join(cfg.Out, name)
		if cfg.SVG {
			if err := plot.Save(fig, base); err != nil {
				return err
			}
		} else {
			img, err := fig.Image(cfg.DPI)
			if err != nil {
				return fmt.Errorf("figure %s: %w", name, err)
			}
			if err := plot.SavePNG(img, base+".png"); err != nil {
				return err
			}
		}
		files = append(files, base+".png")
		return nil
	}
	if err := save(figs.LS[0], "ls"); err != nil {
		return files, err
	}
	if figs.Curves != nil {
		if err := save(figs.Curves, "curves"); err != nil {
			return files, err
		}
	}
	for i, e := range evals {
		if err := save(figs.Confusion[i], "confusion-"+e.Name); err != nil {
			return files, err
		}
	}
	return files, nil
}

// MaxPlotPoints is the most points of one set PlotRun draws; larger sets
// are thinned evenly (the legend says so).
const MaxPlotPoints = 5000

// plotPoints encodes a source for the LS figure: a labelled set
// (data.LoadSet), or, for a folder without class folders, its images
// unlabelled (drawn grey).
func plotPoints(ctx context.Context, cfg PlotConfig, run *train.Run, source, name string, seed uint64) (PointSet, error) {
	set, err := data.LoadSet(ctx, source, seed, cfg.Load)
	if err != nil {
		st, serr := os.Stat(source)
		if serr != nil || !st.IsDir() || !strings.Contains(err.Error(), "no class folders") {
			return PointSet{}, err
		}
		u, uerr := data.LoadUnlabeled(ctx, source, cfg.Log)
		if uerr != nil {
			return PointSet{}, fmt.Errorf("%w; as an unlabelled folder: %v", err, uerr)
		}
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, "plot: %s has no class folders: encoding its %d images unlabelled (%s)\n", source, len(u.Images), name)
		}
		flat := make([]float32, 0, len(u.Images)*data.Pixels)
		for _, im := range u.Images {
			flat = append(flat, im...)
		}
		z, err := run.Encode(flat, len(u.Images))
		if err != nil {
			return PointSet{}, err
		}
		labels := make([]int32, len(u.Images))
		for i := range labels {
			labels[i] = -1
		}
		return PointSet{Name: name + ", unlabelled", Z: z, Y: labels}, nil
	}
	if cfg.Log != nil {
		fmt.Fprintf(cfg.Log, "plot: encoding %d images (%s)\n", set.Len(), name)
	}
	inf, err := run.InferSet(ctx, set)
	if err != nil {
		return PointSet{}, fmt.Errorf("plot %s: %w", name, err)
	}
	return PointSet{Name: name, Z: inf.Z, Y: inf.Labels}, nil
}
