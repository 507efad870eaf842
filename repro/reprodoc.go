package repro

import (
	"encoding/json"
	"fmt"
	"github.com/lsconf/lsconf/internal/document"
	"github.com/lsconf/lsconf/internal/machine"
	"github.com/lsconf/lsconf/report"
	"path/filepath"
	"time"

	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// reproDoc assembles the reproduction report.
func reproDoc(cfg Config, l *latent.Layout, res *Result, f *reproFigures) *document.Doc {
	d := &document.Doc{Title: "lsconf: reproduction of “Latent space configuration for improved generalization in supervised autoencoder neural networks”"}
	if cfg.Quick {
		d.Add(document.Para{Text: "QUICK PIPELINE CHECK (`--quick`): tiny data, a narrow model and a few epochs. The numbers below test that the pipeline works; they say nothing about the paper."})
	}
	d.Add(document.Para{Text: fmt.Sprintf("Table 2 of the paper (%d seeds × {L_CE, L_CE + L_G} × {pre, post} split), its LS figures (Figures 5-9), the f_d curve (Figure 6) and the claims of sections 3-5, on lsconf's built-in clothing textures (the paper's data is private). Every number below was measured by the command in “How this was made”; the verdicts are computed from them.", len(cfg.Seeds))})

	d.Add(document.Heading{Level: 2, Text: "Verdicts"})
	for i, v := range res.Verdicts {
		d.Add(document.Heading{Level: 3, Text: verdictHeading(i, v, cfg)}, document.List{Items: v.Evidence})
	}
	if note := budgetNote(cfg, res.Runs); note != "" {
		d.Add(document.Para{Text: note})
	}
	d.Add(document.Para{Text: fmt.Sprintf("Thresholds: (1) every class's median z within %.1f of its configured centre and at least %.0f%% of test points within r_c = %.2f of their own centre, in every ce+g run; (2) different layouts: the same class's median directions differ by more than %.0f° on average between two seeds; far: median |z| beyond 2 d_c = %.2f; (3) lenient reading: median |z| of the generalization points below 2 d_c and none outside the configured space (v all zero); strict reading: at least %.0f%% of them within r_c of their own centre; supported only when both hold in every ce+g run; (4) “not significant” when the ce and ce+g accuracy ranges over the seeds overlap.",
		CentreTolerance, 100*WithinShare, l.Radius(0), DifferentAngle, 2*l.Dc(), 100*WithinShare)})

	d.Add(document.Heading{Level: 2, Text: "Table 2: test and generalization accuracy"})
	d.Add(document.Para{Text: "ce+g runs: " + cegLoss(cfg) + "; ce runs: L_CE alone."})
	d.Add(res.Table.ourTable(), res.Table.paperTable(), res.Table.compareTable())
	if t, ok := metricsTable(res.Runs, res.GenMetrics); ok {
		d.Add(document.Heading{Level: 2, Text: "Retrieval and clustering on the generalization set"})
		d.Add(t, document.Para{Text: "Every generalization image as a query against the other generalization images of its run (itself excluded), exact; mean ± sd over the seeds. “sim” ranks by eq 15 on the v vectors (ties ordered against the query: queries outside the configured space get no credit), “L2” by Euclidean distance in z. NMI and AMI compare the nearest-cluster label with the label (arithmetic normalisation, exact expected mutual information). Definitions: docs/search.md."})
	}
	d.Add(document.Para{Text: "Accuracy is the classifier head's (argmax p), as in the paper. “test” is the 20% split of the training textures (pre: unaugmented held-out base images; post: held-out augmented images), “gen” the built-in generalization set (a shifted, low-quality rendering of the same textures, standing in for the paper's 80 Market1501 crops). The nearest-cluster accuracy is in the conformance table."})

	d.Add(document.Heading{Level: 2, Text: "Latent space figures"})
	d.Add(document.Figure{Path: f.Fig7, Caption: "Figure 7: L_CE + L_G runs at the configured view [-2, 2]; columns are seeds, rows the pre and post splits; small points training encodings, large outlined points generalization encodings, black dots the configured centres with their r_c circles."})
	d.Add(document.Figure{Path: f.Fig8, Caption: "Figure 8: L_CE runs at an automatic view (the largest coordinate, rounded up); the configured layout is drawn for scale."})
	d.Add(document.Figure{Path: f.Fig9, Caption: "Figure 9: L_CE runs at the paper's wide view [-40, 40]; points outside it are counted under each figure."})
	for i, p := range f.Polar {
		d.Add(document.Figure{Path: p, Caption: fmt.Sprintf("Figure 5: polar encoder configuration (%s) trained with %s; prohibited sectors shaded grey.", cfg.Polar[i], cfg.PolarMode), Width: 560})
	}
	d.Add(document.Figure{Path: f.FD, Caption: "Figure 6: f_d(x, r_c) = exp(ReLU(x - r_c)) - 1 for r_c = 2 (eq 9).", Width: 560})

	d.Add(document.Heading{Level: 2, Text: "Latent space conformance"})
	d.Add(document.Para{Text: "Per run and set: accuracy of the classifier head and of the nearest cluster, share of points within r_c of their own centre, share outside the configured space (v all zero, eq 12), median and largest |z|, and the largest distance between a class's median z (coordinate-wise) and its configured centre. Training sets are evaluated as trained on (augmented), with the batch norms in inference mode."})
	d.Add(conformanceTable(res.Runs))
	for _, r := range res.Runs {
		d.Add(document.Details{Summary: "Per class: " + r.Experiment.Label(), Blocks: []document.Block{classTable(r)}})
	}

	d.Add(document.Heading{Level: 2, Text: "Training curves and confusion matrices"})
	d.Add(document.Figure{Path: f.Curves, Caption: "Training curves (loss, L_G, accuracy per epoch) of the Table 2 runs."})
	d.Add(document.Figure{Path: f.ConfTest, Caption: "Confusion matrices of the classifier head on the test sets."})
	d.Add(document.Figure{Path: f.ConfGen, Caption: "Confusion matrices on the generalization set."})
	for _, r := range res.Runs {
		if !r.Experiment.Polar() {
			continue
		}
		rf := f.Run[r.Experiment.Name()]
		d.Add(document.FigureRow{Figures: []document.Figure{
			{Path: rf.Curves, Caption: "Training curves, " + r.Experiment.Label(), Width: 420},
			{Path: rf.ConfTest, Caption: "Test confusion, " + r.Experiment.Label(), Width: 360},
			{Path: rf.ConfGen, Caption: "Generalization confusion, " + r.Experiment.Label(), Width: 360},
		}})
	}

	d.Add(document.Heading{Level: 2, Text: "Runs"})
	d.Add(runsTable(res.Runs, f))

	d.Add(document.Heading{Level: 2, Text: "How this was made"})
	d.Add(document.Code{Text: cfg.Command})
	sizes := "the built-in sets' default sizes (130 training and 16 generalization images per class)"
	if cfg.PerClass > 0 || cfg.GenPerClass > 0 {
		sizes = fmt.Sprintf("%d training and %d generalization base images per class (0 = default)", cfg.PerClass, cfg.GenPerClass)
	}
	wall := 0.0
	for _, r := range res.Runs {
		wall += r.WallSeconds
	}
	d.Add(document.List{Items: []string{
		"lsconf " + cfg.Version + ", report written " + time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		"machine: " + machine.This().String(),
		fmt.Sprintf("seeds %v; width divisor %d (1 = the paper's model); %d epochs; batch %d; Adam lr %g, %s schedule; k_g %.1f with L_G %s%s", cfg.Seeds, cfg.Width, cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.LRSchedule, latent.PaperKG, reductionName(cfg.LGReduction), centreNote(cfg.LGCenter)),
		fmt.Sprintf("data: %s, data seed %d; %d augmentations per training image, each with its two mirror copies; 80/20 split", sizes, cfg.DataSeed, cfg.AugPerImage),
		fmt.Sprintf("layout: %d centres on a circle of radius d_c = %.2f, r_c = %.2f, R_d = %.4f", l.NC(), l.Dc(), l.Radius(0), l.Rd()),
		polarNote(cfg),
		fmt.Sprintf("training time of all runs %s (wall time per run in the Runs table); this invocation %s: %d runs trained, %d resumed, %d already finished", report.FmtSeconds(wall), report.FmtSeconds(res.Seconds), res.Trained, res.Resumed, res.Skipped),
	}})
	var steps int64
	for _, r := range res.Runs {
		steps = max(steps, r.Steps)
	}
	d.Add(document.Para{Text: fmt.Sprintf("Differences from the paper: the data are procedural textures (%d augmented training images per run instead of 1.2M), the model is the Table 1 SAE with every convolution's channels divided by the width divisor (%d), and Adam's learning rate is %g with a %s schedule instead of 1e-6 (the paper's 1e-6 was for ~1M steps and it names no schedule; these runs take %d)%s. Each", trainImages(res.Runs), cfg.Width, cfg.LR, cfg.LRSchedule, steps, centreNote(cfg.LGCenter)) + " experiment's seed draws the initial weights, the split, the augmentations and the batch order; the four experiments of one seed share it, as in the paper. Run folders (checkpoints, metrics.jsonl, eval.json) are in `runs/`; re-running the command skips finished runs and resumes interrupted ones."})
	return d
}

// trainImages is the largest training set of the runs.
func trainImages(runs []*RunResult) int {
	n := 0
	for _, r := range runs {
		if r.Train != nil {
			n = max(n, r.Train.N)
		}
	}
	return n
}

func firstSeed(s []uint64) uint64 {
	if len(s) == 0 {
		return 1
	}
	return s[0]
}

func conformanceTable(runs []*RunResult) document.Table {
	t := document.Table{Header: []string{"run", "set", "n", "acc %", "nearest acc %", "within r_c %", "outside %", "median |z|", "max |z|", "worst class median to centre"},
		Right: map[int]bool{2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true}}
	for _, r := range runs {
		for _, e := range []*train.EvalResult{r.Train, r.Test, r.Gen} {
			c := e.Conformance
			t.Rows = append(t.Rows, []string{r.Experiment.Label(), e.Name, fmt.Sprint(e.N), report.Pct(e.Accuracy), report.Pct(e.NearestAccuracy),
				report.Pct(c.WithinRc), report.Pct(c.Outside), report.Num(c.MedianNorm), report.Num(c.MaxNorm), report.Num(c.MaxMedianDistance)})
		}
	}
	return t
}

func classTable(r *RunResult) document.Table {
	t := document.Table{Header: []string{"set", "class", "n", "centre", "median z", "median to centre", "within r_c %", "outside %", "max |z|"},
		Right: map[int]bool{2: true, 5: true, 6: true, 7: true, 8: true}}
	for _, e := range []*train.EvalResult{r.Train, r.Test, r.Gen} {
		for _, c := range e.Conformance.Classes {
			t.Rows = append(t.Rows, []string{e.Name, c.Class, fmt.Sprint(c.N), report.FmtVec(c.Center), report.FmtVec(c.MedianZ),
				report.Num(c.MedianDistance), report.Pct(c.WithinRc), report.Pct(c.Outside), report.Num(c.MaxNorm)})
		}
	}
	return t
}

func runsTable(runs []*RunResult, f *reproFigures) document.Table {
	t := document.Table{Header: []string{"run", "folder", "model id", "epochs", "steps", "train / test / gen images", "training wall time", "LS figure"},
		Right: map[int]bool{3: true, 4: true, 6: true}}
	for _, r := range runs {
		ls := ""
		if rf, ok := f.Run[r.Experiment.Name()]; ok && len(rf.LS) > 0 {
			ls = rf.LS[0]
		}
		t.Rows = append(t.Rows, []string{r.Experiment.Label(), "`" + r.Dir + "`", r.ID, fmt.Sprint(r.Epochs), fmt.Sprint(r.Steps),
			fmt.Sprintf("%d / %d / %d", r.Train.N, r.Test.N, r.Gen.N), report.FmtSeconds(r.WallSeconds), "`" + ls + "`"})
	}
	return t
}

// reportJSON is report.json: the machine-readable summary.
type reportJSON struct {
	Command  string       `json:"command"`
	Version  string       `json:"version"`
	Quick    bool         `json:"quick"`
	Seeds    []uint64     `json:"seeds"`
	Width    int          `json:"width"`
	Epochs   int          `json:"epochs"`
	Table2   *Table2      `json:"table2"`
	Verdicts []Verdict    `json:"verdicts"`
	Runs     []*RunResult `json:"runs"`
	Trained  int          `json:"trained"`
	Resumed  int          `json:"resumed"`
	Skipped  int          `json:"skipped"`
	Seconds  float64      `json:"seconds"`
}

// writeReport writes report.md, report.html and report.json.
func writeReport(out string, d *document.Doc, res *Result) error {
	cfg := res.Config
	js := reportJSON{Command: cfg.Command, Version: cfg.Version, Quick: cfg.Quick, Seeds: cfg.Seeds, Width: cfg.Width, Epochs: cfg.Epochs,
		Table2: res.Table, Verdicts: res.Verdicts, Runs: res.Runs, Trained: res.Trained, Resumed: res.Resumed, Skipped: res.Skipped, Seconds: res.Seconds}
	b, err := json.MarshalIndent(js, "", "  ")
	if err != nil {
		// NaN or Inf in a diverged run's figures: keep the readable reports.
		b, _ = json.Marshal(map[string]string{"error": fmt.Sprintf("report.json: %v", err)})
	}
	for name, content := range map[string][]byte{report.ReportMD: []byte(d.Markdown()), report.ReportHTML: []byte(d.HTML()), report.ReportJSON: append(b, '\n')} {
		if err := atomicfile.Write(filepath.Join(out, name), content); err != nil {
			return fmt.Errorf("repro: %w", err)
		}
	}
	return nil
}

// budgetNote compares the runs' training accuracy with the paper's (over
// 99% in every run) and states the weight of L_G in the ce+g runs' loss
// at their last epoch.
func budgetNote(cfg Config, runs []*RunResult) string {
	var ce, ceg, lg, lce []float64
	for _, r := range runs {
		if r.Experiment.Polar() || r.Train == nil {
			continue
		}
		if r.Experiment.Mode == model.ModeCEG {
			ceg = append(ceg, 100*r.Train.Accuracy)
			if n := len(r.Metrics); n > 0 {
				last := r.Metrics[n-1].Train
				lg, lce = append(lg, latent.PaperKG*last.LG), append(lce, last.CE)
			}
		} else {
			ce = append(ce, 100*r.Train.Accuracy)
		}
	}
	if len(ce) == 0 || len(ceg) == 0 {
		return ""
	}
	a, b := SpreadOf(ce), SpreadOf(ceg)
	s := fmt.Sprintf("Training budget: the paper trained every run to over 99%% training accuracy (50 epochs of 1.2M images). Here (width divisor %d, %d epochs) the training-set accuracy (batch norms in inference mode) is %.1f–%.1f%% for ce and %.1f–%.1f%% for ce+g",
		cfg.Width, cfg.Epochs, a.Min, a.Max, b.Min, b.Max)
	if b.Max < a.Min {
		s += ": the ce+g runs are further from convergence than the ce runs at this budget"
	}
	s += "."
	if len(lg) > 0 {
		g, c := SpreadOf(lg), SpreadOf(lce)
		how := "summed over"
		if cfg.LGReduction == "mean" {
			how = "averaged over"
		}
		s += fmt.Sprintf(" In the ce+g runs' last epoch the loss terms were k_g·L_G = %.3g–%.3g (L_G %s batches of %d) and L_CE = %.3g–%.3g.", g.Min, g.Max, how, cfg.BatchSize, c.Min, c.Max)
	}
	return s
}

// centreNote mentions the centre pull when a run uses it.
func centreNote(c float64) string {
	if c <= 0 {
		return ""
	}
	return fmt.Sprintf("; with the centre pull (not in the paper) k_g·%g·Σ(d/r_c)²", c)
}

// reductionName is L_G's reduction as the reports print it.
func reductionName(r latent.ReductionName) string {
	if r.Reduction() == latent.Mean {
		return "averaged over the batch (not the paper's eq 8)"
	}
	return "summed over the batch (eq 8)"
}
