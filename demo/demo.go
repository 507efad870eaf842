package demo

import (
	"context"
	"errors"
	"fmt"
	"github.com/lsconf/lsconf/report"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/train"
)

// The demo's loss: lsconf's recommended settings, not the paper's (see
// docs/training.md): L_G averaged over the batch with the centre pull at
// weight 1, which measured (width 8, 40 epochs) as accurate as L_CE alone
// with every class median at its centre.
const (
	DemoLGReduction = latent.MeanName
	DemoLGCenter    = 1.0
)

// ErrOtherImages is wrapped by Run's error when the demo folder holds
// another image set than the settings ask for.
var ErrOtherImages = errors.New("the folder holds another image set")

// DefaultOut is the demo's folder when none is given.
const DefaultOut = "lsconf-demo"

// Config configures Run. Zero fields take DefaultConfig's values.
type Config struct {
	// Out is the demo's folder; re-running with the same settings reuses
	// what is done (see Run).
	Out string
	// Width, Epochs, BatchSize, LR and AugPerImage configure the ce+g run.
	Width, Epochs, BatchSize int
	LR                       float64
	AugPerImage              int
	// LRSchedule ("constant" or "cosine"), LGReduction ("sum", eq 8, or
	// "mean") and LGCenter (the centre pull, not in the paper) are
	// train.Config's; the demo's defaults are cosine, DemoLGReduction and
	// DemoLGCenter. LGCenter < 0 means 0.
	LRSchedule  model.Schedule
	LGReduction latent.ReductionName
	LGCenter    float64
	// Recon, when > 0, trains the decoder beside the classifier with this
	// reconstruction weight, and the report shows the decoded centres,
	// paths between neighbouring centres and reconstructions. Off by
	// default: the decoder makes a train step about 2.3x as costly.
	Recon float64
	// RoundTrip is the most round-trip corrections of each decoded point
	// (train.RoundTrip): 0 takes train.DefaultRoundTrip's, negative
	// decodes plainly.
	RoundTrip int
	// Head is the classifier head ("distance" or "dense"; default
	// train.RecommendedHead, lsconf train's).
	Head string
	// PerClass and GenPerClass are the built-in set sizes (0 = defaults).
	PerClass, GenPerClass int
	// Seed draws the weights, split, augmentations and batch order;
	// DataSeed the built-in textures.
	Seed, DataSeed uint64
	// QueryClass names the class of the image query (the first
	// generalization image of that class); Words is the word query.
	QueryClass, Words string
	// K is the number of results of each query.
	K int
	// DPI of the PNG figures (0 = 100).
	DPI int
	// Engine configures the compute backend.
	Engine engine.Config
	// Progress receives stage lines and progress bars; nil is quiet.
	Progress io.Writer
	// Version and Command are recorded in the report.
	Version, Command string
}

// DefaultConfig is the demo of make demo: width 8, 12 epochs of 6240
// augmented images (4 augmentations per image, each with its mirrors),
// a few minutes on 2 cores (docs/repro.md has the measured stage times).
func DefaultConfig() Config {
	return Config{Out: DefaultOut, Width: train.DefaultWidth, Epochs: 12, BatchSize: train.DefaultBatch, LR: train.DefaultLR,
		LRSchedule: model.ScheduleCosine, LGReduction: DemoLGReduction, LGCenter: DemoLGCenter, Head: train.RecommendedHead, AugPerImage: 4, Seed: 1, DataSeed: 1, QueryClass: "hlines", Words: "polka dots", K: 10, DPI: 100}
}

// WithDefaults fills zero fields from DefaultConfig.
func (c Config) WithDefaults() Config {
	d := DefaultConfig()
	orDefault(&c.Width, d.Width)
	orDefault(&c.Epochs, d.Epochs)
	orDefault(&c.BatchSize, d.BatchSize)
	orDefault(&c.AugPerImage, d.AugPerImage)
	orDefault(&c.K, d.K)
	orDefault(&c.DPI, d.DPI)
	orDefault(&c.Out, d.Out)
	orDefault(&c.LR, d.LR)
	orDefault(&c.LRSchedule, d.LRSchedule)
	orDefault(&c.LGReduction, d.LGReduction)
	orDefault(&c.Head, d.Head)
	switch {
	case c.RoundTrip == 0:
		c.RoundTrip = train.DefaultRoundTrip().Iterations
	case c.RoundTrip < 0:
		c.RoundTrip = 0
	}
	switch {
	case c.LGCenter == 0:
		c.LGCenter = d.LGCenter
	case c.LGCenter < 0:
		c.LGCenter = 0
	}
	orDefault(&c.Seed, d.Seed)
	orDefault(&c.DataSeed, d.DataSeed)
	orDefault(&c.QueryClass, d.QueryClass)
	orDefault(&c.Words, d.Words)
	return c
}

// orDefault sets *dst to v when *dst is its type's zero value.
func orDefault[T comparable](dst *T, v T) {
	var zero T
	if *dst == zero {
		*dst = v
	}
}

// Stage is one timed step of the demo.
type Stage struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	// Note says what the stage did ("skipped: already done", counts).
	Note string `json:"note"`
}

// QueryResult is one search of the demo.
type QueryResult struct {
	Kind  string `json:"kind"` // "image" or "words"
	Input string `json:"input"`
	// Want is the class a relevant result has; Precision the share of
	// the results with that label (and a score above 0).
	Want      string    `json:"want"`
	Precision float64   `json:"precision"`
	Point     []float64 `json:"point"`
	// Results are the ranked records; Paths their files relative to the
	// indexed folder.
	Results []search.Result `json:"results"`
	Paths   []string        `json:"paths"`
	// Grid is the result grid figure, relative to the demo folder.
	Grid   string         `json:"grid"`
	Target *search.Target `json:"target,omitempty"`

	response *search.Response // for the grid
	queryPx  []float32        // image query pixels
}

// Result is what Run did and where it put it.
type Result struct {
	Out     string            `json:"out"`
	Stages  []Stage           `json:"stages"`
	Test    *train.EvalResult `json:"test"`
	Gen     *train.EvalResult `json:"gen"`
	Queries []QueryResult     `json:"queries"`
	// Retrieval is the precision@K of every labelled generalization image
	// as a query (itself excluded) and of every class word: the two
	// queries above are examples, this is the whole picture.
	Retrieval *search.Eval `json:"retrieval"`
	// Cycle is the decoder's round trips (runs with a decoder), decoded
	// with the round-trip correction of Config.RoundTrip; PlainCycle
	// decoded plainly (nil when the correction is off).
	Cycle      *train.Cycle `json:"cycle,omitempty"`
	PlainCycle *train.Cycle `json:"plain_cycle,omitempty"`
	// Paths of what the demo wrote, relative to Out.
	Files map[string]string `json:"files"`
	// Reconstruction is the decoder's error on the test and
	// generalization sets (runs with a decoder).
	Reconstruction map[string]*train.Reconstruction `json:"reconstruction,omitempty"`
	sets           train.Sets
	Seconds        float64 `json:"seconds"`
}

// The demo folder's layout, relative to Config.Out (slash-separated).
const (
	// TrainData and GenData are the built-in training and
	// generalization images as ImageFolder trees.
	TrainData = "data/train"
	GenData   = "data/gen"
	// RunDir is the run folder (lsconf train's --out).
	RunDir = "run"
	// IndexDB is the search index of GenData.
	IndexDB = "index.db"
	// FiguresDir holds the figures; the reports are report.ReportHTML and
	// report.ReportMD.
	FiguresDir = "figures"
)

// Run runs the main job on the built-in data: write the texture sets as
// ImageFolder trees, train a ce+g model, encode and evaluate, draw the LS
// figure, index the generalization folder, run an image query and a word
// query, and write report.md and report.html in cfg.Out, timing each stage.
//
// Re-running with the same settings is safe and cheap: the data trees and
// a finished run are reused, an interrupted run resumes from its
// checkpoint, the index skips images already stored (and is rebuilt when
// the run changed); the figures, queries and report are made again. Other
// settings in an existing folder are refused.
func Run(ctx context.Context, cfg Config) (res *Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("demo: %v", r)
		}
	}()
	cfg = cfg.WithDefaults()
	start := time.Now()
	res = &Result{Out: cfg.Out, Files: map[string]string{}}
	logf := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format, args...)
		}
	}
	stage := func(name string, fn func() (string, error)) error {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		logf("demo: %s ...\n", name)
		t0 := time.Now()
		note, err := fn()
		if err != nil {
			if ctx.Err() != nil {
				logf("demo: interrupted in stage %s; run the same command again to continue where it stopped\n", name)
			}
			return fmt.Errorf("demo %s: %w", name, err)
		}
		s := Stage{Name: name, Seconds: time.Since(t0).Seconds(), Note: note}
		res.Stages = append(res.Stages, s)
		logf("demo: %s done in %s (%s)\n", name, report.FmtSeconds(s.Seconds), note)
		return nil
	}
	if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	var images demoImages
	if err := stage("data", func() (string, error) {
		images, err = demoData(ctx, cfg, res.Files)
		return images.note, err
	}); err != nil {
		return nil, err
	}
	var trained demoTrained
	if err := stage("train", func() (string, error) {
		trained, err = demoTrain(ctx, cfg, images)
		return trained.note, err
	}); err != nil {
		return nil, err
	}
	sets, layout := trained.sets, trained.layout
	run, err := train.OpenRun(filepath.Join(cfg.Out, RunDir), cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	defer run.Close()
	var enc report.Encodings
	if err := stage("evaluate", func() (string, error) {
		var note string
		enc, note, err = demoEvaluate(ctx, run, sets, layout, res)
		return note, err
	}); err != nil {
		return nil, err
	}
	w := report.FigureWriter{Root: cfg.Out, Dir: FiguresDir, DPI: cfg.DPI}
	if err := stage("figures", func() (string, error) {
		return demoFigures(cfg, w, run, layout, enc, res)
	}); err != nil {
		return nil, err
	}
	var db *index.DB
	if err := stage("index", func() (string, error) {
		var note string
		db, note, err = demoIndex(ctx, cfg, run)
		return note, err
	}); err != nil {
		return nil, err
	}
	defer db.Close()
	if err := stage("search", func() (string, error) {
		return demoSearch(ctx, cfg, w, db, run, res)
	}); err != nil {
		return nil, err
	}
	if err := stage("report", func() (string, error) {
		res.Seconds = time.Since(start).Seconds()
		return writeReport(cfg, run, layout, res)
	}); err != nil {
		return nil, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// demoEvaluate encodes and scores the training, test and generalization
// sets with the run.
func demoEvaluate(ctx context.Context, run *train.Run, sets train.Sets, layout *latent.Layout, res *Result) (report.Encodings, string, error) {
	classes := run.Classes()
	tr, err := report.EncodeSet(ctx, run, sets.Train, classes, "train")
	if err != nil {
		return report.Encodings{}, "", err
	}
	test, err := report.EncodeSet(ctx, run, sets.Test, classes, "test")
	if err != nil {
		return report.Encodings{}, "", err
	}
	gen, err := report.EncodeSet(ctx, run, sets.Gen, classes, "gen")
	if err != nil {
		return report.Encodings{}, "", err
	}
	res.Test, res.Gen = test.Eval, gen.Eval
	res.sets = sets
	enc := report.Encodings{ND: layout.ND(), ZTrain: tr.Z, YTrain: tr.Labels, ZGen: gen.Z, YGen: gen.Labels}
	return enc, fmt.Sprintf("test accuracy %s%%, generalization %s%%", report.Pct(res.Test.Accuracy), report.Pct(res.Gen.Accuracy)), nil
}

// writeReport writes report.md and report.html.
func writeReport(cfg Config, run *train.Run, layout *latent.Layout, res *Result) (string, error) {
	d := demoDoc(cfg, run, layout, res)
	res.Files["report"] = report.ReportHTML
	res.Files["report (Markdown)"] = report.ReportMD
	for name, content := range map[string]string{report.ReportMD: d.Markdown(), report.ReportHTML: d.HTML()} {
		if err := atomicfile.Write(filepath.Join(cfg.Out, name), []byte(content)); err != nil {
			return "", err
		}
	}
	return "report.html, report.md", nil
}

// demoImages are the demo's training and generalization images, and what
// the data stage did.
type demoImages struct {
	base, gen *data.Base
	note      string
}

// demoData writes (or reuses) the built-in training and generalization
// sets as ImageFolder trees and loads them back.
func demoData(ctx context.Context, cfg Config, files map[string]string) (demoImages, error) {
	var notes []string
	load := func(rel string, kind data.SetKind, per int) (*data.Base, error) {
		dir := filepath.Join(cfg.Out, rel)
		seed := cfg.DataSeed
		want := data.ClassMap{Generator: data.Generator, Set: string(kind), Seed: &seed, PerClass: per}
		cm, err := data.ReadClassMap(filepath.Join(dir, data.ClassMapFile))
		switch {
		case err == nil:
			if cm.Generator != data.Generator || cm.Set != want.Set || cm.Seed == nil || *cm.Seed != seed || cm.PerClass != per {
				return nil, fmt.Errorf("%s: %w (%s set, seed %v, %d per class)", dir, ErrOtherImages, cm.Set, cm.Seed, cm.PerClass)
			}
			notes = append(notes, rel+" reused")
		case errors.Is(err, os.ErrNotExist):
			b, err := data.Textures(ctx, data.TextureConfig{Set: kind, PerClass: per, Seed: seed})
			if err != nil {
				return nil, err
			}
			if err := data.WriteImageFolderAtomic(ctx, dir, b, want, nil, false); err != nil {
				return nil, err
			}
			// The contact sheet goes to the figures: an image at the top of
			// the tree would be indexed as an unlabelled image.
			sheet := filepath.Join(cfg.Out, FiguresDir, "contact-"+string(kind)+".png")
			if err := os.MkdirAll(filepath.Dir(sheet), 0o755); err != nil {
				return nil, err
			}
			if err := os.Rename(filepath.Join(dir, data.ContactSheetFile), sheet); err != nil {
				return nil, fmt.Errorf("move the contact sheet: %w", err)
			}
			notes = append(notes, fmt.Sprintf("%s written (%d images)", rel, b.Len()))
		default:
			return nil, err
		}
		b, _, err := data.LoadImageFolder(ctx, dir, data.LoadOptions{Strict: true})
		return b, err
	}
	base, err := load(TrainData, data.TrainSet, cfg.PerClass)
	if err != nil {
		return demoImages{}, err
	}
	gen, err := load(GenData, data.GenSet, cfg.GenPerClass)
	if err != nil {
		return demoImages{}, err
	}
	for _, k := range []data.SetKind{data.TrainSet, data.GenSet} {
		p := filepath.ToSlash(filepath.Join(FiguresDir, "contact-"+string(k)+".png"))
		if _, err := os.Stat(filepath.Join(cfg.Out, p)); err == nil {
			files["contact sheet, "+string(k)+" set"] = p
		}
	}
	return demoImages{base, gen, fmt.Sprintf("%s; %d training and %d generalization images", joinNotes(notes), base.Len(), gen.Len())}, nil
}

func joinNotes(n []string) string {
	s := ""
	for i, x := range n {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s
}

// demoTrained is the demo's run: its sets, its layout, and what the train
// stage did.
type demoTrained struct {
	sets   train.Sets
	layout *latent.Layout
	note   string
}

// demoTrain trains (or resumes, or reuses) the demo's ce+g run.
func demoTrain(ctx context.Context, cfg Config, images demoImages) (demoTrained, error) {
	base, gen := images.base, images.gen
	tr, te, err := data.Split(base, data.SplitConfig{Mode: data.SplitPre, AugPerImage: cfg.AugPerImage, Seed: cfg.Seed})
	if err != nil {
		return demoTrained{}, err
	}
	sets := train.Sets{Train: tr, Test: te, Gen: gen}
	l, err := latent.Circle(len(base.ClassNames), latent.PaperDC, latent.PaperRC)
	if err != nil {
		return demoTrained{sets: sets}, err
	}
	absTrain, _ := filepath.Abs(filepath.Join(cfg.Out, TrainData))
	absGen, _ := filepath.Abs(filepath.Join(cfg.Out, GenData))
	tc := train.Config{Mode: model.ModeCEG, Width: cfg.Width, Epochs: cfg.Epochs, BatchSize: cfg.BatchSize, LR: cfg.LR,
		LRSchedule: cfg.LRSchedule, LGCenter: cfg.LGCenter, LGReduction: cfg.LGReduction, Head: cfg.Head, Recon: cfg.Recon, Seed: cfg.Seed, Layout: l, Engine: cfg.Engine, Progress: cfg.Progress,
		Data: train.DataInfo{Train: absTrain, Gen: absGen, Split: data.SplitPre, AugPerImage: cfg.AugPerImage,
			DataSeed: cfg.DataSeed, Description: "lsconf demo: built-in textures written as ImageFolder trees"},
	}.WithDefaults()
	dir := filepath.Join(cfg.Out, RunDir)
	st, r, err := train.Ensure(ctx, tc, sets, dir)
	if err != nil {
		return demoTrained{sets: sets, layout: l}, err
	}
	if st == train.RunDone {
		return demoTrained{sets, l, "skipped: the run is finished"}, nil
	}
	how := "trained"
	if st == train.RunResume {
		how = "resumed and finished"
	}
	return demoTrained{sets, l, fmt.Sprintf("%s: mode ce+g, width %d, %d epochs of %d images, %d steps", how, cfg.Width, cfg.Epochs, tr.Len(), r.Position.Step)}, nil
}

// demoFigures draws the LS figure, the confusion matrices and the
// training curves.
func demoFigures(cfg Config, w report.FigureWriter, run *train.Run, l *latent.Layout, enc report.Encodings, res *Result) (string, error) {
	metrics, err := train.ReadMetrics(filepath.Join(cfg.Out, RunDir, train.MetricsFile))
	if err != nil {
		return "", err
	}
	r := report.RunFigureInput{Title: fmt.Sprintf("%s %s, seed %d", model.ModeCEG, data.SplitPre, cfg.Seed), Mode: model.ModeCEG, Encoder: "plain",
		Test: res.Test, Gen: res.Gen, Points: enc}
	for _, m := range metrics {
		if m.Kind == train.KindEpoch {
			r.Metrics = append(r.Metrics, m)
		}
	}
	figs, err := report.DrawRunResult(r, l, []report.LSView{{Title: "lsconf demo: latent space (training points small, generalization points large)", View: plot.View{Half: plot.ConfiguredHalf}}},
		func(e *train.EvalResult) string { return e.Name + " set (classifier head)" })
	if err != nil {
		return "", err
	}
	if res.Files["LS figure"], _, err = w.Save(figs.LS[0], "ls"); err != nil {
		return "", err
	}
	if res.Files["training curves"], _, err = w.Save(figs.Curves, "curves"); err != nil {
		return "", err
	}
	for i, e := range []*train.EvalResult{res.Test, res.Gen} {
		if res.Files["confusion "+e.Name], _, err = w.Save(figs.Confusion[i], "confusion-"+e.Name); err != nil {
			return "", err
		}
	}
	if !run.HasDecoder() {
		return "LS figure, training curves, 2 confusion matrices", nil
	}
	rt := train.DefaultRoundTrip()
	rt.Iterations = cfg.RoundTrip
	if err := demoDecoded(w, run, rt, res); err != nil {
		return "", err
	}
	return "LS figure, training curves, 2 confusion matrices, decoded centres, paths and reconstructions", nil
}

// demoDecoded draws what the decoder makes of the centres, of the paths
// between neighbouring centres and of two generalization images per class,
// and measures the round trips (Run.Cycle).
func demoDecoded(w report.FigureWriter, run *train.Run, rt train.RoundTrip, res *Result) error {
	classes := run.Classes()
	d, err := report.Decode(run, report.DecodeSpec{Centres: true, RoundTrip: rt})
	if err != nil {
		return err
	}
	for i := range classes {
		p, err := report.Decode(run, report.DecodeSpec{Between: []string{classes[i], classes[(i+1)%len(classes)]}, Steps: 9, RoundTrip: rt})
		if err != nil {
			return err
		}
		d.Rows = append(d.Rows, p.Rows...)
	}
	img, err := d.Grid("decoded centres (prototypes) and the paths between neighbouring centres")
	if err != nil {
		return err
	}
	if res.Files["decoded centres and paths"], err = w.SaveImage(img, "decoded"); err != nil {
		return err
	}
	gen, err := report.Decode(run, report.DecodeSpec{Inputs: res.sets.Gen, PerClass: 2})
	if err != nil {
		return err
	}
	if img, err = gen.Grid("generalization images and their reconstructions"); err != nil {
		return err
	}
	if res.Files["reconstructions"], err = w.SaveImage(img, "reconstructions"); err != nil {
		return err
	}
	res.Reconstruction = map[string]*train.Reconstruction{}
	for name, set := range map[string]data.Set{"test": res.sets.Test, "gen": res.sets.Gen} {
		ev, err := run.Evaluate(set, name)
		if err != nil {
			return err
		}
		res.Reconstruction[name] = ev.Reconstruction
	}
	if res.Cycle, err = run.Cycle(9, rt); err != nil || rt.Iterations == 0 {
		return err
	}
	res.PlainCycle, err = run.Cycle(9, train.RoundTrip{})
	return err
}

// demoIndex indexes the generalization folder, rebuilding the index when
// it was made by another model.
func demoIndex(ctx context.Context, cfg Config, run *train.Run) (*index.DB, string, error) {
	path := filepath.Join(cfg.Out, IndexDB)
	db, err := index.Open(path)
	if err != nil {
		return nil, "", err
	}
	note := ""
	if err := db.CheckModel(ctx, run); errors.Is(err, index.ErrModelMismatch) {
		db.Close()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, "", err
			}
		}
		if db, err = index.Open(path); err != nil {
			return nil, "", err
		}
		note = "rebuilt for the new model; "
	} else if err != nil {
		db.Close()
		return nil, "", err
	}
	absRun, _ := filepath.Abs(run.Dir())
	r, err := db.IndexFolder(ctx, run, filepath.Join(cfg.Out, GenData), index.Options{Collection: "gen", Prune: true, RunDir: absRun, Progress: cfg.Progress})
	if err != nil {
		db.Close()
		return nil, "", err
	}
	res := fmt.Sprintf("%scollection gen: %d images, %d encoded, %d already indexed", note, r.Images, r.Encoded, r.Skipped)
	return db, res, nil
}

// demoSearch runs the image query and the word query and draws their
// result grids.
func demoSearch(ctx context.Context, cfg Config, w report.FigureWriter, db *index.DB, run *train.Run, res *Result) (string, error) {
	e, err := search.Open(ctx, db, search.OpenOptions{})
	if err != nil {
		return "", err
	}
	classes := run.Classes()
	if !slices.Contains(classes, cfg.QueryClass) {
		return "", fmt.Errorf("query class %q is not one of %q", cfg.QueryClass, classes)
	}
	res.Queries = nil
	// Image query: the first generalization image of the class.
	qpath := filepath.Join(cfg.Out, GenData, cfg.QueryClass, "0000.png")
	b, err := os.ReadFile(qpath)
	if err != nil {
		return "", err
	}
	px, err := index.DecodeImage(b)
	if err != nil {
		return "", fmt.Errorf("%s: %w", qpath, err)
	}
	// The query image is in the index: exclude its own record.
	rel := filepath.ToSlash(filepath.Join(cfg.QueryClass, "0000.png"))
	self, err := db.RecordID(ctx, "gen", rel)
	if err != nil && !errors.Is(err, index.ErrNotFound) {
		return "", err
	}
	imgQ, err := runQuery(ctx, e, search.Spec{Pixels: px, Model: run, Exclude: self, ReadRecords: true}, cfg.K)
	if err != nil {
		return "", err
	}
	imgQ.Kind, imgQ.Input, imgQ.Want, imgQ.queryPx = "image", filepath.ToSlash(filepath.Join(GenData, rel)), cfg.QueryClass, px
	// Word query.
	wordQ, err := runQuery(ctx, e, search.Spec{Text: cfg.Words, Seed: 1, ReadRecords: true}, cfg.K)
	if err != nil {
		return "", err
	}
	tq := wordQ.response.Query
	wordQ.Kind, wordQ.Input, wordQ.Target = "words", cfg.Words, tq.Target
	if tq.Target != nil && len(tq.Target.Terms) > 0 {
		best := tq.Target.Terms[0]
		for _, t := range tq.Target.Terms {
			if t.Weight > best.Weight {
				best = t
			}
		}
		wordQ.Want = best.Class
	}
	for _, qr := range []*QueryResult{&imgQ, &wordQ} {
		qr.Precision = precisionOf(qr.Results, qr.Want)
		name := "search-" + qr.Kind
		grid, err := resultGrid(qr)
		if err != nil {
			return "", err
		}
		if qr.Grid, err = w.SaveImage(grid, name); err != nil {
			return "", err
		}
		res.Files[qr.Kind+" query results"] = qr.Grid
		res.Queries = append(res.Queries, *qr)
	}
	ev, err := e.Evaluate(cfg.K)
	if err != nil {
		return "", err
	}
	res.Retrieval = &ev
	return fmt.Sprintf("image query: %s%% of the top %d are %s; words %q: %s%% are %s; all %d images as queries: P@%d %.2f, class words %.2f",
		report.Pct(imgQ.Precision), cfg.K, imgQ.Want, cfg.Words, report.Pct(wordQ.Precision), wordQ.Want, ev.Labelled, cfg.K, ev.ImageP, ev.WordMean), nil
}

// runQuery searches (search.Searcher.Run) and keeps the response.
func runQuery(ctx context.Context, e *search.Searcher, spec search.Spec, k int) (QueryResult, error) {
	r, err := e.Run(ctx, spec, k)
	if err != nil {
		return QueryResult{}, err
	}
	qr := QueryResult{Point: r.Query.Point, Results: r.Results, response: r}
	for _, rec := range r.Records {
		qr.Paths = append(qr.Paths, rec.Path)
	}
	return qr, nil
}

// precisionOf is the share of results labelled want (results of score 0
// never count: their order is arbitrary).
func precisionOf(rs []search.Result, want string) float64 {
	if len(rs) == 0 {
		return 0
	}
	n := 0
	for _, r := range rs {
		if r.Label == want && r.Score > 0 {
			n++
		}
	}
	return float64(n) / float64(len(rs))
}

// resultGrid draws a query and its results (paper Figures 10-13).
func resultGrid(q *QueryResult) (*image.RGBA, error) {
	return report.ResultGrid(report.ResultGridInput{
		Title:       fmt.Sprintf("lsconf demo: %s query %q, top %d by sim (eq 15)", q.Kind, q.Input, len(q.Results)),
		Response:    q.response,
		QueryPixels: q.queryPx, QueryCaption: q.Want, QueryText: q.Input,
	})
}
