package repro

import (
	"context"
	"errors"
	"fmt"
	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/search"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// Defaults of the full reproduction (lsconf repro): train's CPU defaults
// (width 8, batch 64, lr 1e-3, 4 augmentations per image) with 20 epochs,
// so the 13 runs take about 40 minutes on a shared 2-core machine (see
// docs/repro.md for the measured times).
const (
	// DefaultReproEpochs is the number of epochs of every run.
	DefaultReproEpochs = 20
	// DefaultReproAug is the number of augmentations per training image
	// (each with its two mirror copies): 6240 training images per run.
	DefaultReproAug = 4
)

// Config configures Run. Zero fields take DefaultConfig's
// values (WithDefaults).
type Config struct {
	// Out is the reproduction's folder: runs/, figures/, report.md,
	// report.html and report.json go there.
	Out string
	// Seeds are the experiment seeds (rows of Table 2).
	Seeds []uint64
	// Width, Epochs, BatchSize and LR configure every run.
	Width, Epochs, BatchSize int
	LR                       float64
	// LRSchedule is the learning-rate schedule of every run ("constant" or
	// "cosine"; empty = DefaultConfig's "cosine"). The paper does not
	// name one; its constant 1e-6 served ~1M steps, these runs take a few
	// thousand, and the cosine decay lets them settle (docs/training.md).
	LRSchedule model.Schedule
	// LGCenter is train.Config.LGCenter (not in the paper; 0 = the paper's
	// L_G).
	LGCenter float64
	// LGReduction is L_G's reduction over the batch: "" or "sum" (eq 8)
	// or "mean".
	LGReduction latent.ReductionName
	// Placeholders is train.Config.Placeholders of the ce+g runs (not in
	// the paper; 0 = none).
	Placeholders float64
	// PlaceholderKind is train.Config.PlaceholderKind of the ce+g runs.
	PlaceholderKind string
	// RotationHead is train.Config.RotationHead of the ce+g runs (not in
	// the paper; 0 = none); the unseen experiment then also scores them by
	// ScoreRotation and its sum with the run's open-set score.
	RotationHead float64
	// Contrastive is train.Config.Contrastive of the ce+g runs (not in the
	// paper; 0 = none); the unseen experiment then also scores them by
	// the contrastive k-NN and its sum with the run's open-set score.
	Contrastive float64
	// ContrastiveTurned is train.Config.ContrastiveTurned of the ce+g runs.
	ContrastiveTurned bool
	// LGFeatureStop is train.Config.LGFeatureStop of the ce+g runs (not
	// in the paper; 0 = none held back).
	LGFeatureStop float64
	// Outliers is a folder of real outlier images the ce+g runs train on
	// at OutlierWeight (train.Config.OutlierWeight; not in the paper;
	// "" = none).
	Outliers      string
	OutlierWeight float64
	// Head is the classifier head of the ce+g runs ("" or "dense": the
	// paper's; "distance": lsconf's default); ce runs keep the dense head.
	Head string
	// AugPerImage is the number of augmentations per base image.
	AugPerImage int
	// PerClass and GenPerClass are the built-in set sizes per class
	// (0 = data's defaults: 130 and 16).
	PerClass, GenPerClass int
	// DataSeed draws the built-in textures, the same for every run.
	DataSeed uint64
	// Polar lists the encoder configurations of the paper's Figure 5 runs
	// ("sectors", "paper-eq6"); NoPolar leaves them out.
	Polar   []string
	NoPolar bool
	// PolarMode is the loss of the polar runs (the paper's Figure 5: ce).
	PolarMode model.Mode
	// FeatureScores adds, in the unseen experiment, the post-hoc scores on
	// the encoder's features (fitted on each run's known training images)
	// to each run's open-set figures.
	FeatureScores bool
	// ZScores adds, in the unseen experiment, the z-space Gaussian scores
	// (zScoreNames), fitted and standardised on the known training images.
	ZScores bool
	// Quick marks a pipeline check (recorded in the report).
	Quick bool
	// SVG also writes every figure as SVG.
	SVG bool
	// DPI of the PNG figures (0 = 100).
	DPI int
	// Engine configures the compute backend of every run.
	Engine engine.Config
	// Progress receives one line per experiment, the training progress
	// bars and status lines; nil is quiet.
	Progress io.Writer
	// AfterStep, when not nil, is called after every training step with
	// the experiment and its global step count (for UIs and tests).
	AfterStep func(e Experiment, step int64)
	// Command and Version are recorded in the report.
	Command, Version string
}

// DefaultConfig is the full reproduction: 3 seeds, width 8,
// DefaultReproEpochs epochs, the paper's data sizes, one polar run with
// the "sectors" encoder.
func DefaultConfig() Config {
	return Config{
		Seeds: []uint64{1, 2, 3}, Width: train.DefaultWidth, Epochs: DefaultReproEpochs,
		BatchSize: train.DefaultBatch, LR: train.DefaultLR, LRSchedule: model.ScheduleCosine, AugPerImage: DefaultReproAug,
		DataSeed: 1, Polar: []string{"sectors"}, PolarMode: model.ModeCE, DPI: 100,
	}
}

// QuickConfig is the pipeline check (lsconf repro --quick): the same
// 13 runs at width 16 for 4 epochs of 240 images (10 base images per
// class, 2 augmentations), under a minute on 2 cores. Its numbers say
// nothing about the paper.
func QuickConfig() Config {
	c := DefaultConfig()
	c.Width, c.Epochs, c.BatchSize, c.LR, c.AugPerImage = 16, 4, 16, 3e-3, 2
	c.PerClass, c.GenPerClass = 10, 4
	c.Quick = true
	c.DPI = 60
	return c
}

// WithDefaults fills the zero fields from DefaultConfig.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	if len(c.Seeds) == 0 {
		c.Seeds = d.Seeds
	}
	if c.Width == 0 {
		c.Width = d.Width
	}
	if c.Epochs == 0 {
		c.Epochs = d.Epochs
	}
	if c.BatchSize == 0 {
		c.BatchSize = d.BatchSize
	}
	if c.LR == 0 {
		c.LR = d.LR
	}
	if c.LRSchedule == "" {
		c.LRSchedule = d.LRSchedule
	}
	if c.AugPerImage == 0 {
		c.AugPerImage = d.AugPerImage
	}
	if c.DataSeed == 0 {
		c.DataSeed = d.DataSeed
	}
	if len(c.Polar) == 0 && !c.NoPolar {
		c.Polar = d.Polar
	}
	if c.NoPolar {
		c.Polar = nil
	}
	if c.PolarMode == "" {
		c.PolarMode = d.PolarMode
	}
	if c.DPI == 0 {
		c.DPI = d.DPI
	}
	return c
}

// Validate reports what is wrong with the configuration.
func (c Config) Validate() error {
	if c.Out == "" {
		return errors.New("repro: no output folder")
	}
	seen := map[uint64]bool{}
	for _, s := range c.Seeds {
		if seen[s] {
			return fmt.Errorf("repro: seed %d listed twice", s)
		}
		seen[s] = true
	}
	for _, p := range c.Polar {
		if p != "sectors" && p != "paper-eq6" {
			return fmt.Errorf("repro: polar encoder %q, want sectors or paper-eq6", p)
		}
	}
	if u := slices.Compact(slices.Sorted(slices.Values(c.Polar))); len(u) != len(c.Polar) {
		return fmt.Errorf("repro: polar encoders %q: one listed twice", c.Polar)
	}
	if _, err := model.ParseMode(string(c.PolarMode)); err != nil {
		return fmt.Errorf("repro: polar mode: %w", err)
	}
	switch {
	case c.AugPerImage < 1:
		return fmt.Errorf("repro: %d augmentations per image, need at least 1", c.AugPerImage)
	case c.PerClass < 0 || c.PerClass > data.MaxPerClass || c.GenPerClass < 0 || c.GenPerClass > data.MaxPerClass:
		return fmt.Errorf("repro: %d / %d images per class out of range", c.PerClass, c.GenPerClass)
	case c.PerClass > 0 && c.PerClass < 5:
		return fmt.Errorf("repro: %d images per class is too few for an 80/20 split (need 5)", c.PerClass)
	case c.DPI < 30 || c.DPI > 600:
		return fmt.Errorf("repro: figure resolution %d dpi out of [30, 600]", c.DPI)
	}
	probe := train.Config{Mode: model.ModeCEG, Width: c.Width, Epochs: c.Epochs, BatchSize: c.BatchSize, LR: c.LR,
		LRSchedule: c.LRSchedule, LGCenter: c.LGCenter, LGReduction: c.LGReduction, Head: c.Head, Placeholders: c.Placeholders, PlaceholderKind: c.PlaceholderKind,
		RotationHead: c.RotationHead, Contrastive: c.Contrastive, ContrastiveTurned: c.ContrastiveTurned, LGFeatureStop: c.LGFeatureStop}
	probe.Layout, _ = latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err := probe.WithDefaults().Validate(); err != nil {
		return fmt.Errorf("repro: %w", err)
	}
	return nil
}

// Files and folders of a reproduction folder.
const (
	RunsDir    = "runs"
	FiguresDir = "figures"
)

// Result is what Run did, and the data of its report.
type Result struct {
	Config Config `json:"-"`
	// Runs are the experiments' results in Plan order.
	Runs []*RunResult `json:"runs"`
	// Trained, Resumed and Skipped count the experiments trained from the
	// start, continued from a checkpoint, and found finished.
	Trained, Resumed, Skipped int
	// Table is Table 2, Verdicts the claims checked.
	Table    *Table2   `json:"table2"`
	Verdicts []Verdict `json:"verdicts"`
	// GenMetrics are the metric-learning figures of each plain run's
	// generalization set, by experiment name (reprometrics.go).
	GenMetrics map[string]*search.SetMetrics `json:"gen_metrics"`
	// Seconds is the wall time of this call.
	Seconds float64 `json:"seconds"`
}

// Run runs the paper's experiments (Plan) into cfg.Out, skipping
// finished runs and resuming interrupted ones, then analyses every run,
// draws the figures and writes report.md, report.html and report.json.
// When ctx is cancelled the run in progress saves a checkpoint and Run
// returns an error wrapping ctx.Err(); calling Run again resumes.
func Run(ctx context.Context, cfg Config) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("repro: %v", r)
		}
	}()
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	if err := os.MkdirAll(filepath.Join(cfg.Out, RunsDir), 0o755); err != nil {
		return nil, fmt.Errorf("repro: %w", err)
	}
	logf := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format, args...)
		}
	}
	logf("repro %s: generating the built-in textures (data seed %d)\n", cfg.Out, cfg.DataSeed)
	sets, err := reproData(ctx, cfg)
	if err != nil {
		return nil, err
	}
	layout, err := latent.Circle(len(sets.base.ClassNames), latent.PaperDC, latent.PaperRC)
	if err != nil {
		return nil, fmt.Errorf("repro: layout: %w", err)
	}
	plan := Plan(cfg.Seeds, cfg.Polar, cfg.PolarMode)
	res = &Result{Config: cfg}
	for i, e := range plan {
		t0 := time.Now()
		tag := fmt.Sprintf("[%d/%d] %s", i+1, len(plan), e.Label())
		st, err := trainExperiment(ctx, cfg, e, layout, sets, logf, tag)
		if err != nil {
			if ctx.Err() != nil {
				logf("%s: interrupted after %s; run the same command again to resume\n", tag, since(t0))
			}
			return nil, err
		}
		switch st {
		case train.RunDone:
			res.Skipped++
		case train.RunResume:
			res.Resumed++
		default:
			res.Trained++
		}
	}
	logf("repro: analysing %d runs\n", len(plan))
	for i, e := range plan {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("repro: %w", err)
		}
		t0 := time.Now()
		r, cached, err := analyse(ctx, cfg, e, sets)
		if err != nil {
			return nil, err
		}
		how := "analysed"
		if cached {
			how = "analysis cached"
		}
		logf("[%d/%d] %s: %s in %s (test %s%%, gen %s%%)\n", i+1, len(plan), e.Label(), how, since(t0), report.Pct(r.Test.Accuracy), report.Pct(r.Gen.Accuracy))
		res.Runs = append(res.Runs, r)
	}
	if res.GenMetrics, err = genMetrics(res.Runs, layout); err != nil {
		return nil, err
	}
	res.Table = BuildTable2(res.Runs, cfg.Seeds)
	res.Verdicts = Verdicts(res.Runs, cfg.Seeds, layout)
	logf("repro: drawing the figures\n")
	t0 := time.Now()
	figs, err := drawReproFigures(ctx, cfg, layout, res.Runs)
	if err != nil {
		return nil, err
	}
	logf("repro: figures drawn in %s\n", since(t0))
	res.Seconds = time.Since(start).Seconds()
	doc := reproDoc(cfg, layout, res, figs)
	if err := writeReport(cfg.Out, doc, res); err != nil {
		return nil, err
	}
	logf("repro: wrote %s and %s (%d trained, %d resumed, %d already finished; %s)\n",
		filepath.Join(cfg.Out, report.ReportMD), filepath.Join(cfg.Out, report.ReportHTML), res.Trained, res.Resumed, res.Skipped, since(start))
	return res, nil
}

// reproSets are the images every run shares.
type reproSets struct {
	base, gen *data.Base
}

func reproData(ctx context.Context, cfg Config) (reproSets, error) {
	base, err := data.Textures(ctx, data.TextureConfig{Set: data.TrainSet, PerClass: cfg.PerClass, Seed: cfg.DataSeed})
	if err != nil {
		return reproSets{}, fmt.Errorf("repro: built-in textures: %w", err)
	}
	gen, err := data.Textures(ctx, data.TextureConfig{Set: data.GenSet, PerClass: cfg.GenPerClass, Seed: cfg.DataSeed})
	if err != nil {
		return reproSets{}, fmt.Errorf("repro: built-in generalization set: %w", err)
	}
	return reproSets{base: base, gen: gen}, nil
}

// split makes an experiment's train and test sets (its seed draws the
// split and the augmentations).
func (s reproSets) split(cfg Config, e Experiment) (train.Sets, error) {
	tr, te, err := data.Split(s.base, data.SplitConfig{Mode: e.Split, AugPerImage: cfg.AugPerImage, Seed: e.Seed})
	if err != nil {
		return train.Sets{}, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	return train.Sets{Train: tr, Test: te, Gen: s.gen}, nil
}

// runDir is an experiment's run folder.
func runDir(out string, e Experiment) string { return filepath.Join(out, RunsDir, e.Name()) }

// trainConfig is the train.Config of an experiment.
func trainConfig(cfg Config, e Experiment, l *latent.Layout) train.Config {
	desc := "built-in textures"
	if cfg.PerClass > 0 || cfg.GenPerClass > 0 {
		desc = fmt.Sprintf("built-in textures, %d train and %d generalization images per class", cfg.PerClass, cfg.GenPerClass)
	}
	head, ph, phKind, rot, stop, con, turned := "", 0.0, "", 0.0, 0.0, 0.0, false
	if e.Mode == model.ModeCEG {
		head, ph, phKind, rot, stop, con, turned = cfg.Head, cfg.Placeholders, cfg.PlaceholderKind, cfg.RotationHead, cfg.LGFeatureStop, cfg.Contrastive, cfg.ContrastiveTurned
	}
	tc := train.Config{
		Mode: e.Mode, Encoder: latent.EncoderName(e.Encoder), Head: head, Width: cfg.Width, Epochs: cfg.Epochs, BatchSize: cfg.BatchSize,
		LR: cfg.LR, LRSchedule: cfg.LRSchedule, LGCenter: cfg.LGCenter, LGReduction: cfg.LGReduction, Placeholders: ph, PlaceholderKind: phKind, RotationHead: rot, LGFeatureStop: stop, Contrastive: con, ContrastiveTurned: turned, Seed: e.Seed, Layout: l, Engine: cfg.Engine, Progress: cfg.Progress,
		Data: train.DataInfo{Train: data.BuiltinTrain, Gen: data.BuiltinGen, Split: e.Split, AugPerImage: cfg.AugPerImage,
			DataSeed:    cfg.DataSeed,
			Description: desc},
	}
	tc.OutlierWeight = cfg.outlierWeight(e)
	return tc.WithDefaults()
}

// trainExperiment trains, resumes or skips one experiment.
func trainExperiment(ctx context.Context, cfg Config, e Experiment, l *latent.Layout, rs reproSets,
	logf func(string, ...any), tag string) (train.RunState, error) {
	t0 := time.Now()
	sets, err := rs.split(cfg, e)
	if err != nil {
		return train.RunNew, err
	}
	if sets.Outliers, err = cfg.outlierSet(ctx, e); err != nil {
		return train.RunNew, err
	}
	dir := runDir(cfg.Out, e)
	tc := trainConfig(cfg, e, l)
	tc.OnState = func(st train.RunState) {
		switch st {
		case train.RunDone:
			wall := 0.0
			if ls, err := train.ReadMetrics(filepath.Join(dir, train.MetricsFile)); err == nil && len(ls) > 0 {
				wall = ls[len(ls)-1].WallSeconds
			}
			logf("%s: already finished (trained in %s), skipped\n", tag, report.FmtSeconds(wall))
		default:
			how := "training"
			if st == train.RunResume {
				how = "resuming"
			}
			logf("%s: %s %s (%d train, %d test, %d generalization images)\n", tag, how, dir, sets.Train.Len(), sets.Test.Len(), sets.Gen.Len())
		}
	}
	if cfg.AfterStep != nil {
		tc.AfterStep = func(step int64) { cfg.AfterStep(e, step) }
	}
	st, r, err := train.Ensure(ctx, tc, sets, dir)
	if err != nil {
		return st, fmt.Errorf("repro %s: %w", e.Name(), err)
	}
	if r == nil {
		return st, nil
	}
	line := fmt.Sprintf("%s: done in %s", tag, since(t0))
	if r.Test != nil && r.Gen != nil {
		line += fmt.Sprintf(" (test %s%%, gen %s%%)", report.Pct(r.Test.Accuracy), report.Pct(r.Gen.Accuracy))
	}
	logf("%s\n", line)
	return st, nil
}

func since(t time.Time) string { return report.FmtSeconds(time.Since(t).Seconds()) }
