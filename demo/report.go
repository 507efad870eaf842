package demo

import (
	"fmt"
	"github.com/lsconf/lsconf/internal/document"
	"github.com/lsconf/lsconf/internal/machine"
	"github.com/lsconf/lsconf/metrics"
	"github.com/lsconf/lsconf/report"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/train"
)

// demoDoc assembles the demo's report.
func demoDoc(cfg Config, run *train.Run, l *latent.Layout, res *Result) *document.Doc {
	d := &document.Doc{Title: "lsconf demo: a supervised autoencoder with a configured latent space"}
	d.Add(document.Para{Text: fmt.Sprintf("The built-in clothing textures (5 classes) were written as ImageFolder trees, a width-%d SAE was trained with L_CE + k_g L_G%s so that each class's cluster sits at a configured centre (5 centres on a circle of radius %.2f, r_c = %.2f), its latent space drawn, the model evaluated, the generalization set indexed, and searched by an image and by words (no language model: words map to LS points).",
		cfg.Width, demoLossPhrase(cfg), l.Dc(), l.Radius(0))})

	d.Add(document.Heading{Level: 2, Text: "Stages"})
	st := document.Table{Header: []string{"stage", "time", "what"}, Right: map[int]bool{1: true}}
	for _, s := range res.Stages {
		st.Rows = append(st.Rows, []string{s.Name, report.FmtSeconds(s.Seconds), s.Note})
	}
	st.Rows = append(st.Rows, []string{"total", report.FmtSeconds(res.Seconds), ""})
	d.Add(st)

	d.Add(document.Heading{Level: 2, Text: "Data"})
	d.Add(document.Para{Text: "Procedural clothing textures in 5 classes (dots, hlines, squares, uniform, vlines); the generalization set renders the same patterns like small, poor surveillance crops and is never trained on. The training images are split 80/20 before augmentation (the paper's “pre” split)."})
	d.Add(document.FigureRow{Figures: []document.Figure{
		{Path: res.Files["contact sheet, train set"], Caption: "Training base images", Width: 460},
		{Path: res.Files["contact sheet, gen set"], Caption: "Generalization images", Width: 460},
	}})

	d.Add(document.Heading{Level: 2, Text: "Latent space"})
	d.Add(document.Figure{Path: res.Files["LS figure"], Caption: "Training encodings (small points) and generalization encodings (large outlined points), coloured by class; black dots are the configured centres with their r_c circles; view [-2, 2].", Width: 640})

	d.Add(document.Heading{Level: 2, Text: "Evaluation"})
	et := document.Table{Header: []string{"set", "images", "accuracy %", "nearest-cluster accuracy %", "within r_c %", "outside %", "median |z|", "max |z|", "worst class median to centre"},
		Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}}
	for _, e := range []*train.EvalResult{res.Test, res.Gen} {
		c := e.Conformance
		et.Rows = append(et.Rows, []string{e.Name, fmt.Sprint(e.N), report.Pct(e.Accuracy), report.Pct(e.NearestAccuracy), report.Pct(c.WithinRc), report.Pct(c.Outside), report.Num(c.MedianNorm), report.Num(c.MaxNorm), report.Num(c.MaxMedianDistance)})
	}
	d.Add(et)
	d.Add(document.Para{Text: "Accuracy is the classifier head's; nearest-cluster accuracy labels each image by the configured cluster its encoding is nearest to (no classifier). “outside” counts encodings whose class similarity vector v (eq 12) is all zero."})
	d.Add(document.FigureRow{Figures: []document.Figure{
		{Path: res.Files["confusion test"], Caption: "Confusion matrix, test set", Width: 400},
		{Path: res.Files["confusion gen"], Caption: "Confusion matrix, generalization set", Width: 400},
		{Path: res.Files["training curves"], Caption: "Training curves", Width: 460},
	}})

	if f := res.Files["decoded centres and paths"]; f != "" {
		d.Add(document.Heading{Level: 2, Text: "Decoder"})
		d.Add(document.Para{Text: fmt.Sprintf("The run was trained with the decoder (reconstruction weight %g): each class's configured centre decoded (its prototype), the straight paths between neighbouring centres, and generalization images beside their reconstructions.", cfg.Recon)})
		caption := "Decoded centres and paths between neighbouring centres (9 points each, ends included), decoded plainly."
		if res.Cycle != nil && res.Cycle.RoundTrip != nil {
			caption = "Decoded centres and paths between neighbouring centres (9 points each, ends included), each point decoded with the round-trip correction: the image shown is one the encoder reads as that point."
		}
		d.Add(document.Figure{Path: f, Caption: caption})
		d.Add(document.Figure{Path: res.Files["reconstructions"], Caption: "Generalization images (never trained on) and their reconstructions."})
		if cy := res.Cycle; cy != nil {
			how := "decoded plainly"
			if rt := cy.RoundTrip; rt != nil {
				how = fmt.Sprintf("each point decoded with the round-trip correction (at most %d updates z' += z - E(D(z')); %.1f on average)", rt.Correction.Iterations, rt.MeanUpdates)
			}
			d.Add(document.Para{Text: fmt.Sprintf("Round trips, %s: %s", how, cycleText(cy))})
		}
		if cy := res.PlainCycle; cy != nil {
			d.Add(document.Para{Text: "Decoded plainly (D(z)), for comparison: " + cycleText(cy)})
		}
		if r := res.Reconstruction; r["test"] != nil && r["gen"] != nil {
			d.Add(document.Para{Text: fmt.Sprintf("Reconstruction MSE per pixel (images in [0, 1]): test %.4f, generalization %.4f.", r["test"].MSE, r["gen"].MSE)})
		}
	}

	d.Add(document.Heading{Level: 2, Text: "Search"})
	for _, q := range res.Queries {
		title := fmt.Sprintf("%s query: %s", q.Kind, q.Input)
		d.Add(document.Heading{Level: 3, Text: title})
		desc := fmt.Sprintf("LS point %s; %s%% of the top %d are labelled %s.", report.FmtVec(q.Point), report.Pct(q.Precision), len(q.Results), q.Want)
		if q.Target != nil {
			var parts []string
			for _, t := range q.Target.Terms {
				parts = append(parts, fmt.Sprintf("%.2f %s", t.Weight, t.Class))
			}
			desc = fmt.Sprintf("The words map to %s (the centre of that blend). ", strings.Join(parts, " + ")) + desc
		} else {
			desc = "The query image is the first generalization image of its class, left out of its own results. " + desc
		}
		d.Add(document.Para{Text: desc}, document.Figure{Path: q.Grid, Caption: "Query and top results with their sim scores (eq 15)."})
		rt := document.Table{Header: []string{"rank", "score", "label", "image"}, Right: map[int]bool{0: true, 1: true}}
		for i, r := range q.Results {
			p := ""
			if i < len(q.Paths) {
				p = q.Paths[i]
			}
			rt.Rows = append(rt.Rows, []string{fmt.Sprint(r.Rank), fmt.Sprintf("%.4f", r.Score), r.Label, "`" + filepath.ToSlash(filepath.Join(GenData, p)) + "`"})
		}
		d.Add(document.Details{Summary: "Results of the " + q.Kind + " query", Blocks: []document.Block{rt}})
	}

	if ev := res.Retrieval; ev != nil {
		d.Add(document.Heading{Level: 3, Text: "Retrieval over the whole index"})
		d.Add(document.Para{Text: fmt.Sprintf("Every one of the %d labelled generalization images as a query against the others (itself excluded), and every class word (its centre) as a query: precision@%d is the share of the top %d with the wanted label (chance is about %.2f). %d query images lie outside the configured space.",
			ev.Labelled, ev.K, ev.K, 1/float64(max(len(ev.WordP), 1)), ev.Outside)})
		rt := document.Table{Header: []string{"class", fmt.Sprintf("image queries P@%d", ev.K), fmt.Sprintf("class word P@%d", ev.K), "P@1", "R-precision", "MAP@R", "MRR"}, Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true}}
		var names []string
		for c := range ev.WordP {
			names = append(names, c)
		}
		sort.Strings(names)
		for _, c := range names {
			rt.Rows = append(rt.Rows, append([]string{c, fmt.Sprintf("%.2f", ev.ImagePerClass[c]), fmt.Sprintf("%.2f", ev.WordP[c])}, scoreCells(ev.Metrics.PerClass[c])...))
		}
		rt.Rows = append(rt.Rows, append([]string{"mean", fmt.Sprintf("%.2f", ev.ImageP), fmt.Sprintf("%.2f", ev.WordMean)}, scoreCells(ev.Metrics.Retrieval)...))
		d.Add(rt)
		d.Add(document.Para{Text: fmt.Sprintf("P@1, R-precision, MAP@R and MRR (Musgrave et al. 2020; definitions in docs/search.md) rank every other image by sim, exactly, ties ordered against the query. Nearest-cluster label against the label: NMI %.3f, AMI %.3f.", ev.Metrics.Clustering.NMI, ev.Metrics.Clustering.AMI)})
	}

	d.Add(document.Heading{Level: 2, Text: "Where everything is"})
	var files []string
	for k := range res.Files {
		files = append(files, k)
	}
	sort.Strings(files)
	var items []string
	for _, k := range files {
		items = append(items, fmt.Sprintf("%s: `%s`", k, res.Files[k]))
	}
	items = append(items,
		fmt.Sprintf("training images (ImageFolder): `%s`, generalization images: `%s`", TrainData, GenData),
		fmt.Sprintf("the run (run.json, checkpoint, metrics.jsonl, eval.json): `%s`", RunDir),
		fmt.Sprintf("the search index (SQLite): `%s`", IndexDB))
	d.Add(document.List{Items: items})
	out := cfg.Out
	d.Add(document.Para{Text: "Continue from here:"}, document.Code{Text: strings.Join([]string{
		fmt.Sprintf("lsconf search --db %s --text \"between squares and dots\" --grid blend.png", filepath.Join(out, IndexDB)),
		fmt.Sprintf("lsconf search --db %s --image %s --k 10", filepath.Join(out, IndexDB), filepath.Join(out, GenData, "dots", "0000.png")),
		fmt.Sprintf("lsconf serve --db %s          # the search page on http://127.0.0.1:8080/", filepath.Join(out, IndexDB)),
		fmt.Sprintf("lsconf eval --run %s", filepath.Join(out, RunDir)),
		"lsconf repro --out repro     # the paper's Table 2 and figures (about 40 minutes)",
	}, "\n")})

	d.Add(document.Heading{Level: 2, Text: "How this was made"})
	d.Add(document.Code{Text: cfg.Command})
	d.Add(document.List{Items: []string{
		"lsconf " + cfg.Version + ", " + time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		"machine: " + machine.This().String(),
		fmt.Sprintf("model %s: mode ce+g%s, width divisor %d, %d epochs, batch %d, Adam lr %g (%s schedule), seed %d; data seed %d, %d augmentations per training image (each with two mirror copies), pre split",
			run.ID(), demoLossPhrase(cfg), cfg.Width, cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.LRSchedule, cfg.Seed, cfg.DataSeed, cfg.AugPerImage),
	}})
	return d
}

// demoLossPhrase says how the demo's loss differs from the paper's eq 8
// (L_G summed over the batch, no centre pull).
func demoLossPhrase(cfg Config) string {
	var parts []string
	if cfg.LGReduction == "mean" {
		parts = append(parts, "L_G averaged over the batch")
	}
	if cfg.LGCenter > 0 {
		parts = append(parts, fmt.Sprintf("lsconf's centre pull at weight %g", cfg.LGCenter))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + "; lsconf's recommended settings, not the paper's eq 8)"
}

// scoreCells are P@1, R-precision, MAP@R and MRR formatted for a table.
func scoreCells(s metrics.Scores) []string {
	return []string{fmt.Sprintf("%.2f", s.P1), fmt.Sprintf("%.2f", s.RPrecision), fmt.Sprintf("%.3f", s.MAPR), fmt.Sprintf("%.2f", s.MRR)}
}

// cycleText says how a run's round trips closed.
func cycleText(cy *train.Cycle) string {
	return fmt.Sprintf("%d of %d decoded centres encode back within r_c of their centre; %d of %d inner path points (%s%%) encode back nearer to their own point than to any centre, %s%% nearer to it than to any centre off their path (mean distance to the path %.3f, R_d %.3f).",
		cy.CentresWithin, len(cy.Centres), cy.Nearer, cy.Points, report.Pct(cy.NearerShare), report.Pct(cy.NearerOffPathShare), cy.MeanSegmentDistance, cy.Rd)
}
