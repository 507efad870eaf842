package repro

import (
	"fmt"
	"github.com/lsconf/lsconf/internal/document"
	"github.com/lsconf/lsconf/internal/machine"
	"github.com/lsconf/lsconf/report"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
)

// unseenStat is one figure of an UnseenRun.
type unseenStat struct {
	name string
	get  func(r *UnseenRun) float64
}

var unseenStats = map[string]unseenStat{
	"within":   {"held-out within r_c of a known centre", func(r *UnseenRun) float64 { return r.WithinKnown }},
	"outside":  {"held-out outside (v = 0)", func(r *UnseenRun) float64 { return r.Outside }},
	"calout":   {"held-out test outside (calibrated)", func(r *UnseenRun) float64 { return orNaN(r.CalOutside) }},
	"kcalout":  {"known test outside (calibrated)", func(r *UnseenRun) float64 { return orNaN(r.KnownCalOutside) }},
	"kwithin":  {"known test within r_c of own centre", func(r *UnseenRun) float64 { return r.KnownWithinOwn }},
	"kacc":     {"known test accuracy", func(r *UnseenRun) float64 { return r.KnownAcc }},
	"simP10":   {"held-out P@10, sim", func(r *UnseenRun) float64 { return r.HeldSim.PK }},
	"simMAPR":  {"held-out MAP@R, sim", func(r *UnseenRun) float64 { return r.HeldSim.MAPR }},
	"l2P10":    {"held-out P@10, L2", func(r *UnseenRun) float64 { return r.HeldL2.PK }},
	"l2MAPR":   {"held-out MAP@R, L2", func(r *UnseenRun) float64 { return r.HeldL2.MAPR }},
	"ksimMAPR": {"known MAP@R, sim", func(r *UnseenRun) float64 { return r.KnownSim.MAPR }},
	"kl2MAPR":  {"known MAP@R, L2", func(r *UnseenRun) float64 { return r.KnownL2.MAPR }},
	"chance":   {"chance P@10", func(r *UnseenRun) float64 { return r.Chance }},
	"auDist":   {"AUROC dist/r_c", func(r *UnseenRun) float64 { return r.OpenSet["dist/r_c"].AUROC }},
	"auV":      {"AUROC 1-max v", func(r *UnseenRun) float64 { return r.OpenSet["1-max v"].AUROC }},
	"auP":      {"AUROC 1-max p", func(r *UnseenRun) float64 { return r.OpenSet["1-max p"].AUROC }},
	"auRun":    {"AUROC open-set score", func(r *UnseenRun) float64 { return r.OpenSet[ScoreRunRule].AUROC }},
	"auNorm":   {"AUROC -|z|", func(r *UnseenRun) float64 { return r.OpenSet[ScoreNorm].AUROC }},
	"fprRun":   {"FPR@95TPR open-set score", func(r *UnseenRun) float64 { return r.OpenSet[ScoreRunRule].FPRAt95TPR }},
	"fprDist":  {"FPR@95TPR dist/r_c", func(r *UnseenRun) float64 { return r.OpenSet["dist/r_c"].FPRAt95TPR }},
	"fprV":     {"FPR@95TPR 1-max v", func(r *UnseenRun) float64 { return r.OpenSet["1-max v"].FPRAt95TPR }},
	"fprP":     {"FPR@95TPR 1-max p", func(r *UnseenRun) float64 { return r.OpenSet["1-max p"].FPRAt95TPR }},
	"nmi":      {"known NMI", func(r *UnseenRun) float64 { return r.Clustering.NMI }},
	"ami":      {"known AMI", func(r *UnseenRun) float64 { return r.Clustering.AMI }},
}

// overSeeds is a statistic of a mode: per seed the mean over the runs
// selected (all held-out classes, or one), then the spread over seeds.
func (res *UnseenResult) overSeeds(m model.Mode, held, stat string) Spread {
	return SpreadOf(res.perSeed(m, held, stat))
}

// perSeed is a statistic of a mode per seed (in res.Seeds order, seeds
// without a run left out): the mean over the runs selected.
func (res *UnseenResult) perSeed(m model.Mode, held, stat string) []float64 {
	return res.perSeedOf(m, held, unseenStats[stat].get)
}

// perSeedOf is perSeed of any per-run figure.
func (res *UnseenResult) perSeedOf(m model.Mode, held string, get func(r *UnseenRun) float64) []float64 {
	var per []float64
	for _, s := range res.Seeds {
		sum, n := 0.0, 0
		for _, r := range res.Runs {
			if r.Mode == m && r.Seed == s && (held == "" || r.Held == held) {
				sum += get(r)
				n++
			}
		}
		if n > 0 {
			per = append(per, sum/float64(n))
		}
	}
	return per
}

// ms formats a spread as "mean ± sd".
func ms(s Spread, dec int) string {
	if s.N == 0 {
		return "-"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.*f", dec, s.Mean)
	}
	return fmt.Sprintf("%.*f ± %.*f", dec, s.Mean, dec, s.SD)
}

// unseenVerdict states the outcome for the paper's claim, with numbers.
func unseenVerdict(res *UnseenResult) []string {
	g, c := model.ModeCEG, model.ModeCE
	o := func(m model.Mode, k string) Spread { return res.overSeeds(m, "", k) }
	var out []string
	out = append(out, fmt.Sprintf("Where unseen classes land (ce+g): %s%% of the held-out images lie within r_c of some known centre and %s%% outside the configured space (v all zero); for contrast, %s%% of the known classes' test images lie within r_c of their own centre. With ce, %s%% of the held-out images are outside (its encodings are not configured).",
		pctSpread(o(g, "within")), pctSpread(o(g, "outside")), pctSpread(o(g, "kwithin")), pctSpread(o(c, "outside"))))
	if co := o(g, "calout"); co.N > 0 {
		out = append(out, fmt.Sprintf("With the calibrated outside threshold (the run's open-set score, conformal at 95%% of the known classes' test images inside, calibrated in two folds so that each known image is judged by the other fold's threshold): %s%% of the held-out test images outside (target >= 50%%), %s%% of the known ones (target <= 5%%).",
			pctSpread(co), pctSpread(o(g, "kcalout"))))
	}
	inside := 1 - o(g, "outside").Mean
	landsOnKnown := o(g, "within").Mean
	switch {
	case inside >= 0.9 && landsOnKnown >= 0.5:
		out = append(out, fmt.Sprintf("So an unseen class does land somewhere definite (%.0f%% inside the configured space), but mostly on a known class's cluster (%.0f%% within its r_c): the configured space has no place reserved for it, and sim scores it as that known class.", 100*inside, 100*landsOnKnown))
	case inside >= 0.9:
		out = append(out, fmt.Sprintf("So an unseen class stays inside the configured space (%.0f%%), mostly between the known clusters (only %.0f%% within r_c of a known centre).", 100*inside, 100*landsOnKnown))
	default:
		out = append(out, fmt.Sprintf("So an unseen class does not reliably land inside the configured space: %.0f%% of its images are outside, where sim is 0.", 100*(1-inside)))
	}
	chance := o(g, "chance").Mean
	gs, gl, cs, cl := o(g, "simP10"), o(g, "l2P10"), o(c, "simP10"), o(c, "l2P10")
	out = append(out, fmt.Sprintf("Similarity among the unseen class's own images (P@10 of its queries against all indexed images; chance %.2f): ce+g by sim %s (MAP@R %s), ce+g by distance %s (MAP@R %s); ce by sim %s (MAP@R %s), ce by distance %s (MAP@R %s).",
		chance, ms(gs, 2), ms(o(g, "simMAPR"), 3), ms(gl, 2), ms(o(g, "l2MAPR"), 3), ms(cs, 2), ms(o(c, "simMAPR"), 3), ms(cl, 2), ms(o(c, "l2MAPR"), 3)))
	ratio := gs.Mean / max(chance, 1e-9)
	var claim string
	switch {
	case gs.Min > chance && gs.Min > cl.Max:
		claim = "SUPPORTED: sim finds an unseen class's images above chance in every seed and better than ce's best ranking"
	case gs.Min > chance && gs.Mean > cl.Mean:
		claim = "PARTLY SUPPORTED: sim finds an unseen class's images above chance in every seed, and better than ce by distance on average, but the seed ranges overlap"
	case gs.Min > chance && worseEverySeed(res.perSeed(g, "", "simP10"), res.perSeed(c, "", "l2P10")):
		claim = "PARTLY SUPPORTED: sim finds an unseen class's images above chance in every seed, but worse than ce's encodings ranked by distance in every seed"
	case gs.Min > chance:
		claim = "PARTLY SUPPORTED: sim finds an unseen class's images above chance in every seed, but no better than ce's encodings ranked by distance on average"
	default:
		claim = "NOT SUPPORTED: sim does not find an unseen class's images above chance in every seed"
	}
	out = append(out, fmt.Sprintf("Verdict on “a configured LS allows to evaluate similarity for unseen classes”: %s (ce+g sim P@10 %.1fx chance).", claim, ratio))
	best := ""
	bestA := -1.0
	for _, k := range []string{"auRun", "auDist", "auV", "auP", "auNorm"} {
		if a := o(g, k).Mean; a > bestA {
			best, bestA = k, a
		}
	}
	out = append(out, fmt.Sprintf("Open-set detection (held-out test images vs known test images): ce+g AUROC %s by its open-set score (%s), %s by dist/r_c, %s by 1-max v, %s by 1-max p, %s by -|z| (FPR@95%%TPR %s, %s, %s, %s); ce AUROC %s by 1-max p (FPR@95%%TPR %s) and %s by dist/r_c. The best ce+g score is %s (%.3f) against ce's softmax baseline %.3f.",
		ms(o(g, "auRun"), 3), cegRule(res), ms(o(g, "auDist"), 3), ms(o(g, "auV"), 3), ms(o(g, "auP"), 3), ms(o(g, "auNorm"), 3),
		ms(o(g, "fprRun"), 2), ms(o(g, "fprDist"), 2), ms(o(g, "fprV"), 2), ms(o(g, "fprP"), 2),
		ms(o(c, "auP"), 3), ms(o(c, "fprP"), 2), ms(o(c, "auDist"), 3), unseenStats[best].name, bestA, o(c, "auP").Mean))
	return out
}

// worseEverySeed reports whether a is below b in every seed (the same
// seeds, in order; false when they differ in number or are none).
func worseEverySeed(a, b []float64) bool {
	if len(a) == 0 || len(a) != len(b) {
		return false
	}
	for i := range a {
		if !(a[i] < b[i]) {
			return false
		}
	}
	return true
}

func pctSpread(s Spread) string {
	if s.N == 0 {
		return "-"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.1f", 100*s.Mean)
	}
	return fmt.Sprintf("%.1f ± %.1f", 100*s.Mean, 100*s.SD)
}

// unseenDoc is the unseen-class report.
func unseenDoc(cfg Config, l *latent.Layout, res *UnseenResult) *document.Doc {
	d := &document.Doc{Title: "lsconf: unseen classes and open-set detection"}
	if cfg.Quick {
		d.Add(document.Para{Text: "QUICK PIPELINE CHECK (`--quick`): tiny data, a narrow model and a few epochs. The numbers below test that the pipeline works; they say nothing about the paper."})
	}
	d.Add(document.Para{Text: fmt.Sprintf("The paper (abstract, section 7) says a configured latent space “even allows to evaluate similarity for unseen classes”. Here each of the %d built-in classes is held out in turn: a ce+g model (%s) is trained with a %d-centre circle layout for the other classes, and a ce model (L_CE alone) with the same seeds and budget for contrast. All classes' test-split and generalization images are then encoded and measured. Every number is a mean ± sd over %d seeds of the mean over the held-out classes, unless a table says otherwise.",
		len(res.Classes), cegLoss(cfg), l.NC(), len(res.Seeds))})
	d.Add(document.Heading{Level: 2, Text: "Verdict"})
	d.Add(document.List{Items: res.Verdict})

	g, c := model.ModeCEG, model.ModeCE
	row := func(k string, dec int, pc bool) []string {
		f := func(m model.Mode) string {
			s := res.overSeeds(m, "", k)
			if pc {
				return pctSpread(s) + "%"
			}
			return ms(s, dec)
		}
		return []string{unseenStats[k].name, f(g), f(c)}
	}
	d.Add(document.Heading{Level: 2, Text: "Summary: ce+g (" + cegLoss(cfg) + ") against ce (L_CE)"})
	d.Add(document.Table{Header: []string{"measure", "ce+g", "ce"}, Right: map[int]bool{1: true, 2: true}, Rows: [][]string{
		row("within", 1, true), row("outside", 1, true), row("kwithin", 1, true), row("kacc", 1, true),
		row("chance", 2, false), row("simP10", 2, false), row("simMAPR", 3, false), row("l2P10", 2, false), row("l2MAPR", 3, false),
		row("ksimMAPR", 3, false), row("kl2MAPR", 3, false),
		row("auRun", 3, false), row("auDist", 3, false), row("auV", 3, false), row("auP", 3, false), row("auNorm", 3, false),
		row("fprRun", 2, false), row("fprDist", 2, false), row("fprV", 2, false), row("fprP", 2, false),
		row("calout", 1, true), row("kcalout", 1, true),
		row("nmi", 3, false), row("ami", 3, false),
	}})
	d.Add(document.Para{Text: "Held-out images: the held-out class's test split and generalization images; known: the other classes' test split (and, for retrieval, their generalization images). Retrieval ranks all indexed images (every class's test split and generalization images) for each query, the query itself excluded: “sim” by eq 15 on the v vectors, “L2” by Euclidean distance in z. Ties are ordered pessimistically (docs/search.md), so queries outside the configured space get no credit from sim. Chance is the share of a held-out query's candidates that are of its class. Open-set: positives are the held-out class's test-split images, negatives the known classes' test-split images; dist/r_c is the distance to the nearest configured centre over r_c, 1-max v the complement of the largest similarity-vector entry, 1-max p of the classifier's largest softmax probability, the open-set score the run's own (its outside flag's: MSP·d_c/|z| with the distance head, dist/r_c with the dense head), -|z| the encoding's distance from the origin, negated. The calibrated outside shares use a conformal threshold on the open-set score at 95% of the known test images inside, made in two folds of them (even and odd positions), each known image judged by the other fold's threshold. NMI/AMI: nearest-cluster label against the true label on the known classes' test images."})

	if feat := unseenFeatureScores(res); len(feat) > 0 {
		d.Add(document.Heading{Level: 2, Text: "Post-hoc scores on the encoder's features and in z (--feature-scores, --z-scores)"})
		d.Add(document.Para{Text: "Fitted on each run's known training images (their augmentations and mirrors included), no retraining: deep k-NN (the distance of the L2-normalised feature to its k-th nearest training feature, Sun et al. 2022) on the flattened last convolution features (the input of the dense map to z), Mahalanobis with class means and a shared covariance (Lee et al. 2018), the relative Mahalanobis (minus the global Gaussian's, Ren et al. 2021), the residual off the principal subspace explaining 90% of the variance (ViM's, Wang et al. 2022), the same on the global averages of the five levels' channels (pooled levels), k-NN on all levels side by side, k-NN in z, and products of the feature k-NN with the MSP and with the run's open-set score. The z scores (--z-scores): class Gaussians of the known training images' encodings, the squared Mahalanobis distance to the nearest class mean under the shared covariance, to the head's predicted class under its own covariance, on z_⊥ (outside the centres' span, when the layout has room), and the run's open-set score plus the first. Every sum here (the standardised sums, std. sum: LS + ..., with LS the run's open-set score on ce+g; MSP + ... on ce; the z sum; the rotation sums) adds its parts each standardised by its mean and standard deviation on the known classes' generalization images (never trained on; no test image and no image of the held-out class is used)."})
		d.Add(extraScoresTable(res, feat, g, c))
		d.Add(document.Para{Text: "Outside: the shares of held-out and of known test images above a threshold on the score calibrated like the run's own (conformal at 95% of the known test images inside, in two folds)."})
	}
	if rot := unseenRotationKeys(res); len(rot) > 0 {
		d.Add(document.Heading{Level: 2, Text: "Rotation head (--rotation-head)"})
		d.Add(document.Para{Text: fmt.Sprintf("The ce+g runs were trained with a rotation head (a linear map from the encoder's features to the four quarter turns, every batch also encoded turned by j mod 4 quarter turns). %q is the mean over the four turns of the head's cross entropy on the image so turned (four encodings per image); %q the sum of the run's open-set score and it, each standardised by its mean and standard deviation over the known classes' generalization images (never trained on; never the test images); with --feature-scores, the rotation score and the all-levels k-NN, with and without the run's LS score (the MSP on ce), standardised the same way and summed (std. sum) or taken by their largest standardised part (std. max). Outside: calibrated as above.", ScoreRotation, rotationPlus(ScoreRunRule))})
		d.Add(extraScoresTable(res, rot, g, c))
	}
	if con := unseenContrastiveKeys(res); len(con) > 0 {
		d.Add(document.Heading{Level: 2, Text: "Contrastive head (--contrastive)"})
		d.Add(document.Para{Text: unseenContrastiveDoc()})
		d.Add(extraScoresTable(res, con, g, c))
	}
	unseenFusionDoc(d, res)

	d.Add(document.Heading{Level: 2, Text: "Per held-out class"})
	var rows [][]string
	for _, h := range res.Classes {
		for _, m := range []model.Mode{g, c} {
			land := landing(res, m, h)
			rows = append(rows, []string{h, string(m), land,
				pctSpread(res.overSeeds(m, h, "within")) + "%", pctSpread(res.overSeeds(m, h, "outside")) + "%",
				ms(res.overSeeds(m, h, "simP10"), 2), ms(res.overSeeds(m, h, "simMAPR"), 3),
				ms(res.overSeeds(m, h, "l2P10"), 2), ms(res.overSeeds(m, h, "l2MAPR"), 3),
				ms(res.overSeeds(m, h, "auRun"), 3), ms(res.overSeeds(m, h, "auDist"), 3), ms(res.overSeeds(m, h, "auP"), 3)})
		}
	}
	d.Add(document.Table{Header: []string{"held out", "mode", "median z; nearest known centre", "within r_c of known", "outside", "P@10 sim", "MAP@R sim", "P@10 L2", "MAP@R L2", "AUROC open-set score", "AUROC dist/r_c", "AUROC 1-max p"},
		Right: map[int]bool{3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true}, Rows: rows})

	d.Add(document.Heading{Level: 2, Text: "Runs"})
	var rr [][]string
	for _, r := range res.Runs {
		rr = append(rr, []string{r.Held, string(r.Mode), fmt.Sprint(r.Seed), report.FmtVec(r.Median), report.Pct(r.WithinKnown), report.Pct(r.Outside),
			fmt.Sprintf("%.2f", r.HeldSim.PK), fmt.Sprintf("%.2f", r.HeldL2.PK), fmt.Sprintf("%.3f", r.OpenSet[ScoreRunRule].AUROC), fmt.Sprintf("%.3f", r.OpenSet["dist/r_c"].AUROC),
			fmt.Sprintf("%.3f", r.OpenSet["1-max p"].AUROC), report.Pct(r.KnownAcc), report.FmtSeconds(r.Seconds), "`" + r.Dir + "`"})
	}
	d.Add(document.Details{Summary: fmt.Sprintf("All %d runs", len(res.Runs)), Blocks: []document.Block{document.Table{
		Header: []string{"held out", "mode", "seed", "median z", "within r_c %", "outside %", "P@10 sim", "P@10 L2", "AUROC open-set score", "AUROC dist/r_c", "AUROC 1-max p", "known test acc %", "train time", "run"},
		Right:  map[int]bool{2: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true}, Rows: rr}}})

	d.Add(document.Heading{Level: 2, Text: "How this was made"})
	d.Add(document.Code{Text: cfg.Command})
	var wall float64
	for _, r := range res.Runs {
		wall += r.Seconds
	}
	d.Add(document.List{Items: []string{
		"lsconf " + cfg.Version + ", report written " + time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		"machine: " + machine.This().String(),
		fmt.Sprintf("seeds %v; width divisor %d; %d epochs; batch %d; Adam lr %g, %s schedule; ce+g loss: %s", cfg.Seeds, cfg.Width, cfg.Epochs, cfg.BatchSize, cfg.LR, cfg.LRSchedule, cegLoss(cfg)),
		fmt.Sprintf("data: built-in textures, data seed %d, %d augmentations per training image (each with two mirror copies), pre split 80/20 by the run's seed", cfg.DataSeed, cfg.AugPerImage),
		fmt.Sprintf("layout of every run: %d centres on a circle of radius d_c = %.2f, r_c = %.2f, R_d = %.4f", l.NC(), l.Dc(), l.Radius(0), l.Rd()),
		fmt.Sprintf("training time of all runs %s; this invocation %s: %d runs trained, %d already finished", report.FmtSeconds(wall), report.FmtSeconds(res.Seconds), res.Trained, res.Skipped),
	}})
	return d
}

// landing describes where a held-out class lands in a mode: the median
// point of the first seed and the known class whose centre is nearest to
// most of its images (over the seeds).
func landing(res *UnseenResult, m model.Mode, held string) string {
	share := map[string]float64{}
	var med []float64
	n := 0
	for _, r := range res.Runs {
		if r.Mode != m || r.Held != held {
			continue
		}
		if med == nil {
			med = r.Median
		}
		for k, v := range r.Nearest {
			share[k] += v
		}
		n++
	}
	if n == 0 {
		return "-"
	}
	keys := make([]string, 0, len(share))
	for k := range share {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if share[a] != share[b] {
			if share[a] > share[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	return fmt.Sprintf("%s; %s %.0f%%", report.FmtVec(med), keys[0], 100*share[keys[0]]/float64(n))
}

// orNaN is *p, or NaN for nil (a figure the run cannot give).
func orNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// cegRule names the ce+g runs' open-set score (their OpenSetRule).
func cegRule(res *UnseenResult) string {
	for _, r := range res.Runs {
		if r.Mode == model.ModeCEG && r.Rule != "" {
			return r.Rule
		}
	}
	return latent.ScoreDistRc
}

// unseenRotationKeys are the rotation scores the runs carry (none
// without a rotation head).
func unseenRotationKeys(res *UnseenResult) []string {
	var out []string
	for _, k := range slices.Concat([]string{ScoreRotation, rotationPlus(ScoreRunRule)}, rotationFusionNames) {
		if slices.ContainsFunc(res.Runs, func(r *UnseenRun) bool { _, ok := r.OpenSet[k]; return ok }) {
			out = append(out, k)
		}
	}
	return out
}

// unseenFeatureScores are the feature scores and their fusions the runs
// carry (in report order; none without --feature-scores).
func unseenFeatureScores(res *UnseenResult) []string {
	var out []string
	for _, k := range slices.Concat(featureScoreNames, fusionScoreNames, zScoreNames) {
		for _, r := range res.Runs {
			if _, ok := r.OpenSet[k]; ok {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// extraScoresTable is the table of the scores keys beyond OpenSetScores
// (the feature, z, fusion and rotation scores): AUROC, FPR@95%TPR,
// TPR@5%FPR and the calibrated outside shares, for the ce+g runs (g) and the ce runs (c).
func extraScoresTable(res *UnseenResult, keys []string, g, c model.Mode) document.Table {
	var rows [][]string
	for _, k := range keys {
		has := func(m model.Mode) bool {
			return slices.ContainsFunc(res.Runs, func(r *UnseenRun) bool { _, ok := r.OpenSet[k]; return r.Mode == m && ok })
		}
		au := func(m model.Mode) string {
			if !has(m) {
				return "-"
			}
			return ms(SpreadOf(res.perSeedOf(m, "", func(r *UnseenRun) float64 { return r.OpenSet[k].AUROC })), 3)
		}
		fp := func(m model.Mode) string {
			if !has(m) {
				return "-"
			}
			return ms(SpreadOf(res.perSeedOf(m, "", func(r *UnseenRun) float64 { return r.OpenSet[k].FPRAt95TPR })), 2)
		}
		out := func(m model.Mode) string {
			cal := func(i int) string {
				return pctSpread(SpreadOf(res.perSeedOf(m, "", func(r *UnseenRun) float64 {
					if v, ok := r.FeatureCalOutside[k]; ok {
						return v[i]
					}
					return math.NaN()
				})))
			}
			if !has(m) || !slices.ContainsFunc(res.Runs, func(r *UnseenRun) bool { _, ok := r.FeatureCalOutside[k]; return r.Mode == m && ok }) {
				return "-"
			}
			return cal(0) + "% / " + cal(1) + "%"
		}
		tp := func(m model.Mode) string {
			if !has(m) {
				return "-"
			}
			if !slices.ContainsFunc(res.Runs, func(r *UnseenRun) bool { _, ok := r.TPRAt5FPR[k]; return r.Mode == m && ok }) {
				return "not tested"
			}
			return ms(SpreadOf(res.perSeedOf(m, "", func(r *UnseenRun) float64 { return r.TPRAt5FPR[k] })), 2)
		}
		rows = append(rows, []string{k, au(g), fp(g), tp(g), out(g), au(c), fp(c), tp(c), out(c)})
	}
	return document.Table{Header: []string{"score", "AUROC ce+g", "FPR@95%TPR ce+g", "TPR@5%FPR ce+g", "outside held-out / known ce+g", "AUROC ce", "FPR@95%TPR ce", "TPR@5%FPR ce", "outside held-out / known ce"},
		Right: map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true}, Rows: rows}
}
