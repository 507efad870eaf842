package repro

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"

	"github.com/lsconf/lsconf/internal/machine"
)

// openSetSpread summarises one figure of one method over the splits.
func openSetSpread(res *OpenSetResult, method string, f func(r *OpenSetRun) float64) Spread {
	var xs []float64
	for _, r := range res.Runs {
		if r.Method == method {
			xs = append(xs, f(r))
		}
	}
	return SpreadOf(xs)
}

// OpenSetVerdicts compares the default score (ce+g with the distance
// head, latent.DefaultDistanceScore) with the best ce baseline and the calibrated threshold
// with the targets: AUROC at least 0.02 above the better of ce's MSP and
// MLS, closed-set accuracy within 0.5 points of ce, at least 50% of the
// unknown test images and at most 5% of the known ones outside.
func OpenSetVerdicts(res *OpenSetResult) []string {
	auroc := func(m, s string) float64 {
		return openSetSpread(res, m, func(r *OpenSetRun) float64 { return r.Scores[s].AUROC }).Mean
	}
	acc := func(m string) float64 {
		return openSetSpread(res, m, func(r *OpenSetRun) float64 { return r.Accuracy }).Mean
	}
	def := auroc("ce+g distance", latent.DefaultDistanceScore)
	best, bestName := auroc("ce", ScoreMSP), ScoreMSP
	if v := auroc("ce", ScoreMLS); v > best {
		best, bestName = v, ScoreMLS
	}
	yes := func(ok bool) string {
		if ok {
			return "met"
		}
		return "not met"
	}
	bestL, bestLName := math.Inf(-1), ""
	for _, m := range res.methods() {
		if m.Mode != model.ModeCEG {
			continue
		}
		for _, s := range m.Scores {
			if slices.Contains(probeScoreNames, s) {
				continue // an oracle, not a score
			}
			if v := auroc(m.Name, s); v > bestL {
				bestL, bestLName = v, m.Name+", "+s
			}
		}
	}
	uo := openSetSpread(res, "ce+g distance", func(r *OpenSetRun) float64 { return r.UnknownOutside }).Mean
	ko := openSetSpread(res, "ce+g distance", func(r *OpenSetRun) float64 { return r.KnownOutside }).Mean
	if !res.hasMethod("ce") || !res.hasMethod("ce+g distance") {
		return res.partialVerdicts()
	}
	return append([]string{
		fmt.Sprintf("AUROC of the default (ce+g distance head, %s) %.3f vs the best ce baseline (%s) %.3f: difference %+.3f, target >= +0.02: %s",
			latent.DefaultDistanceScore, def, bestName, best, def-best, yes(def-best >= 0.02)),
		fmt.Sprintf("best lsconf score (%s): AUROC %.3f, %+.3f against the best ce baseline, %+.3f against the default score",
			bestLName, bestL, bestL-best, bestL-def),
		fmt.Sprintf("closed-set accuracy of the default %.2f%% vs ce %.2f%%: difference %+.2f points, target within 0.5 below: %s",
			100*acc("ce+g distance"), 100*acc("ce"), 100*(acc("ce+g distance")-acc("ce")), yes(acc("ce+g distance") >= acc("ce")-0.005)),
		fmt.Sprintf("calibrated outside (95%% of the validation images inside): %.1f%% of unknown test images outside (target >= 50%%: %s), %.1f%% of known test images (target <= 5%%: %s)",
			100*uo, yes(uo >= 0.5), 100*ko, yes(ko <= 0.05)),
	}, res.oracleVerdict()...)
}

// methods are the methods with runs in res, in openMethods' order.
func (res *OpenSetResult) methods() []openMethod {
	var out []openMethod
	for _, m := range openMethods {
		var runs []*OpenSetRun
		for _, r := range res.Runs {
			if r.Method == m.Name {
				runs = append(runs, r)
			}
		}
		if len(runs) > 0 {
			m.Scores = withPostHocScores(m, runs)
			if !slices.ContainsFunc(runs, func(r *OpenSetRun) bool { _, ok := r.Scores[ScoreRotation]; return !ok }) {
				m.Scores = withRotationScores(m.Scores)
			}
			if !slices.ContainsFunc(runs, func(r *OpenSetRun) bool { _, ok := r.Scores[ScoreConKNN10]; return !ok }) {
				m.Scores = withContrastiveScores(m.Scores)
			}
			m.Scores = withRotationFusions(m.Scores, runs)
			if res.Config.ZScores || res.Config.Oracle {
				m.Scores = res.withZScores(m)
			}
			out = append(out, m)
		}
	}
	return out
}

// withPostHocScores is m's scores followed by the post-hoc scores (feature,
// decoder, fusions) that every one of its runs has.
func withPostHocScores(m openMethod, runs []*OpenSetRun) []string {
	all := slices.Concat(featureScoreNames, reconScoreNames, fusionScoreNames)
	return append(slices.Clone(m.Scores), inOrder(all, func(s string) bool {
		return !slices.ContainsFunc(runs, func(r *OpenSetRun) bool { _, ok := r.Scores[s]; return !ok })
	})...)
}

// calOutsideCell is the mean calibrated outside of a score over the
// method's runs ("unknown / known" in %), "not tested" when a run lacks
// it.
func calOutsideCell(res *OpenSetResult, method, score string) string {
	var u, k []float64
	for _, r := range res.Runs {
		if r.Method != method {
			continue
		}
		o := r.Scores[score].Outside
		if o == nil {
			return "not tested"
		}
		u, k = append(u, 100*o.Unknown), append(k, 100*o.Known)
	}
	return fmt.Sprintf("%.1f / %.1f", SpreadOf(u).Mean, SpreadOf(k).Mean)
}

// openSetMarkdown is the report.
func openSetMarkdown(res *OpenSetResult) string {
	c := res.Config
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# Open set on %s: %d splits of %d known / %d unknown classes\n\n", c.Source, c.Splits, 10-c.Unknown, c.Unknown)
	if c.Quick {
		w("**Pipeline check (--quick): these numbers say nothing.**\n\n")
	}
	w("Made by `%s` (%s) in %s; machine: %s.\n\n", c.Command, c.Version, fmtDuration(res.Seconds), machine.This().String())
	w("Budget, the same for every method and split: the first %d training images of each known class with their left-right mirrors (no augmentation), width divisor %d, %d epochs, batch %d, Adam lr %g with a cosine decay; split k's seed is k. ", c.PerClass, c.Width, c.Epochs, c.BatchSize, c.LR)
	w("The next %d training images of each known class are never trained on: they calibrate the outside threshold and give ce's class means. ", c.ValPerClass)
	tp := "all 1,000"
	if c.TestPerClass > 0 {
		tp = fmt.Sprintf("the first %d", c.TestPerClass)
	}
	w("Test: %s images per class of the shipped test split; known classes' test images are negatives, unknown classes' positives.\n\n", tp)
	w("Methods: **ce** (dense head, L_CE) scored by MSP (1 - max softmax p), MLS (- max logit) and the distance of z to the nearest class mean; **ce+g dense** (lsconf's recommended L_G: mean, centre pull 1, k_g 0.2; the paper's dense head) scored by dist/r_c (distance to the nearest configured centre over r_c) and MSP; **ce+g distance** (the same loss with the distance head, lsconf's default) scored by its default open-set score %s (the head's MSP computed from z and the layout, 1 - max softmax of -s (d_k/r_k)^2, times d_c/|z|), dist/r_c (its maximum logit, the radii being equal), MSP from the logits and from z (%s; the two agree), and CAC's score on d_k/r_k (min_k u_k (1 - softmin(u)_k)). Every method is also scored by -|z| (unknown inputs near the origin score high), which tells where they land. The layout is lsconf's for 6 classes: a regular simplex in n_d = 5, r_c = 0.68 x R_d/2.\n\n", latent.DefaultDistanceScore, latent.ScoreDistMSP)
	if c.Placeholders > 0 {
		w("**ce+g distance placeholders** (and **ce placeholders**, ce so trained, when named) adds placeholder negatives of kind %s at weight %g. ", model.PlaceholderKind(c.PlaceholderKind).OrMixup(), c.Placeholders)
	}
	if v := c.Variant; v != nil {
		w("**ce+g distance variant** is ce+g distance with %d extra latent dimensions, d_c %g (0: 0.85), r_c %g (0: 0.68 x R_d/2), head scale %g (0: 0.25), reconstruction weight %g, placeholder negatives at weight %g %s; its extra scores: %s (the norm of z outside the centres' span), %s, %s, and %s. ",
			v.ExtraDims, v.DC, v.RC, v.HeadScale, v.Recon, v.Placeholders, v.PlaceholderKind, ScoreResidual, ScoreMSPNormSpan, ScoreMSPNormResidual, ScoreMSPNormPerClass)
		if v.RotationHead > 0 {
			w("It has a rotation head at weight %g (hidden units %d, 0: linear): a head on the encoder's features trained to tell the four quarter turns of every batch; %q is its loss over the four turns of the image, and \"<first score> + %s\" the sum of the method's first score and it, each standardised by its mean and standard deviation over the validation images. **ce variant**, when named, is ce trained with the same head (its control). ",
				v.RotationHead, v.RotationHidden, ScoreRotation, ScoreRotation)
		}
		if v.Contrastive > 0 {
			w("%s", contrastiveDoc(v.Contrastive, v.ContrastiveTurned))
		}
		w("%s", v.outlierDoc())
	}
	if c.Placeholders > 0 || c.Variant != nil {
		w("\n\n")
	}
	w("%s", postHocDoc(res))
	w("## Splits\n\n| split | unknown classes |\n|---|---|\n")
	for i, u := range res.Splits {
		w("| %d | %s |\n", i+1, strings.Join(u, ", "))
	}
	w("\n## Verdicts\n\n")
	for _, v := range OpenSetVerdicts(res) {
		w("- %s\n", v)
	}
	w("\n## Results (mean ± sd over the splits, range)\n\nTPR@5%%FPR: the share of unknown test images above the score that 5%% of the known test images exceed (what an outside threshold keeping 95%% of the known images inside would mark outside; the outside targets need it >= 50%%).\n\nCalibrated outside: the shares of the unknown / known test images above a threshold on that score calibrated at 95%% of the validation images (each score its own threshold; \"not tested\" where the validation images have no such score).\n\n| method | score | closed-set acc %% | AUROC | FPR@95%%TPR | TPR@5%%FPR | OSCR | calibrated outside unknown / known %% |\n|---|---|---|---|---|---|---|---|\n")
	for _, m := range res.methods() {
		accS := openSetSpread(res, m.Name, func(r *OpenSetRun) float64 { return 100 * r.Accuracy })
		for _, s := range m.Scores {
			au := openSetSpread(res, m.Name, func(r *OpenSetRun) float64 { return r.Scores[s].AUROC })
			fp := openSetSpread(res, m.Name, func(r *OpenSetRun) float64 { return r.Scores[s].FPRAt95TPR })
			tp := openSetSpread(res, m.Name, func(r *OpenSetRun) float64 { return r.Scores[s].TPRAt5FPR })
			os := openSetSpread(res, m.Name, func(r *OpenSetRun) float64 { return r.Scores[s].OSCR })
			w("| %s | %s | %s | %s | %s | %s | %s | %s |\n", m.Name, s, accS.Format(2), au.Format(3), fp.Format(3), tp.Format(3), os.Format(3), calOutsideCell(res, m.Name, s))
		}
	}
	w("\n![ROC curves](roc.png)\n\n")
	w("## Calibrated outside and where the test images land (lsconf methods)\n\n")
	w("The threshold keeps 95%% of the validation images of the known classes at or below it (latent.Calibrate of the run's open-set score: %s with the distance head, dist/r_c with the dense head). Landing (by dist/r_c): within r_c of some centre, near the origin (|z| < d_c/2), or between the clusters.\n\n", latent.DefaultDistanceScore)
	w("| method | split | threshold (score) | known outside %% | unknown outside %% | known: inside / origin / between %% | unknown: inside / origin / between %% | median abs z known / unknown |\n|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Runs {
		if r.Calibration == nil || r.Known == nil || r.UnknownLanding == nil {
			continue
		}
		k, u := r.Known, r.UnknownLanding
		w("| %s | %d | %.3f (%s) | %.1f | %.1f | %.0f / %.0f / %.0f | %.0f / %.0f / %.0f | %.3f / %.3f |\n", r.Method, r.Split, r.Calibration.Threshold, r.Calibration.Rule().Name(),
			100*r.KnownOutside, 100*r.UnknownOutside, 100*k.Inside, 100*k.NearOrigin, 100*k.Between, 100*u.Inside, 100*u.NearOrigin, 100*u.Between, k.MedianNorm, u.MedianNorm)
	}
	if zs := zScoreDoc(res); zs != "" {
		w("%s", zs)
	}
	w("\n## Per split\n\n| split | method | closed-set acc %% | score | AUROC | FPR@95%%TPR | TPR@5%%FPR | OSCR | calibrated outside unknown / known %% | train s |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range res.Runs {
		for _, m := range res.methods() {
			if m.Name != r.Method {
				continue
			}
			for _, s := range m.Scores {
				sc := r.Scores[s]
				out := "not tested"
				if o := sc.Outside; o != nil {
					out = fmt.Sprintf("%.1f / %.1f", 100*o.Unknown, 100*o.Known)
				}
				w("| %d | %s | %.2f | %s | %.3f | %.3f | %.3f | %.3f | %s | %.0f |\n", r.Split, r.Method, 100*r.Accuracy, s, sc.AUROC, sc.FPRAt95TPR, sc.TPRAt5FPR, sc.OSCR, out, r.Seconds)
			}
		}
	}
	w("%s", ensembleMarkdown(res))
	w("\nreport.json holds every figure (and each run's ROC at the false-positive rates of roc_fpr_grid); the runs are in runs/split<k>/<method>.\n")
	return b.String()
}

// fmtDuration formats seconds for the report.
func fmtDuration(s float64) string {
	if s < 120 {
		return fmt.Sprintf("%.0f s", s)
	}
	return fmt.Sprintf("%.1f min", s/60)
}
