package repro

import (
	"fmt"
	"slices"
	"strings"
)

// ensembleMarkdown is the report's section on the deep ensembles (""
// without them): per method and score, the ensemble's figures beside the
// mean of its members' own, mean over the splits and per split.
func ensembleMarkdown(res *OpenSetResult) string {
	if len(res.Ensembles) == 0 {
		return ""
	}
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("\n## Deep ensembles (%d members)\n\n", res.Config.Ensemble)
	w("Each method trained %d times on the same images and budget; member 1 is the single run above (seed k on split k), member m has seed k + %d (m - 1) (report.json lists every member's seed and folder). ", res.Config.Ensemble, ensembleSeedStride)
	w("The ensemble's score is the mean over the members of each member's score standardised by its mean and standard deviation on the validation images of the known classes (never the test images); its class the argmax of the members' mean softmax probabilities; its calibrated outside a threshold on the ensemble score of the validation images (95%% inside). Each cell: ensemble / mean of the members' own figures.\n\n")
	var methods []string
	for _, e := range res.Ensembles {
		if !slices.Contains(methods, e.Method) {
			methods = append(methods, e.Method)
		}
	}
	w("### Mean over the splits\n\n| method | score | closed-set acc %% | AUROC | FPR@95%%TPR | TPR@5%%FPR | calibrated outside unknown / known %% |\n|---|---|---|---|---|---|---|\n")
	for _, name := range methods {
		var es []*EnsembleRun
		for _, e := range res.Ensembles {
			if e.Method == name {
				es = append(es, e)
			}
		}
		mean := func(f func(e *EnsembleRun) float64) float64 {
			var xs []float64
			for _, e := range es {
				xs = append(xs, f(e))
			}
			return SpreadOf(xs).Mean
		}
		acc := fmt.Sprintf("%.2f / %.2f", 100*mean(func(e *EnsembleRun) float64 { return e.Accuracy }), 100*mean(func(e *EnsembleRun) float64 { return SpreadOf(e.MemberAccuracy).Mean }))
		for _, s := range es[0].Names {
			if slices.ContainsFunc(es, func(e *EnsembleRun) bool { _, ok := e.Scores[s]; return !ok }) {
				continue
			}
			pair := func(f func(o OpenSetScore) float64, digits int) string {
				return fmt.Sprintf("%.*f / %.*f", digits, mean(func(e *EnsembleRun) float64 { return f(e.Scores[s]) }), digits, mean(func(e *EnsembleRun) float64 { return f(e.MemberMean[s]) }))
			}
			out := fmt.Sprintf("%.1f / %.1f (members %.1f / %.1f)",
				100*mean(func(e *EnsembleRun) float64 { return e.Scores[s].Outside.Unknown }), 100*mean(func(e *EnsembleRun) float64 { return e.Scores[s].Outside.Known }),
				100*mean(func(e *EnsembleRun) float64 { return e.MemberMean[s].Outside.Unknown }), 100*mean(func(e *EnsembleRun) float64 { return e.MemberMean[s].Outside.Known }))
			w("| %s | %s | %s | %s | %s | %s | %s |\n", name, s, acc,
				pair(func(o OpenSetScore) float64 { return o.AUROC }, 3), pair(func(o OpenSetScore) float64 { return o.FPRAt95TPR }, 3), pair(func(o OpenSetScore) float64 { return o.TPRAt5FPR }, 3), out)
		}
		var skipped []string
		for _, e := range es {
			for _, s := range e.NotEnsembled {
				if !slices.Contains(skipped, s) {
					skipped = append(skipped, s)
				}
			}
		}
		if len(skipped) > 0 {
			w("| %s | not ensembled (no validation figures): %s | | | | | |\n", name, strings.Join(skipped, "; "))
		}
	}
	w("\n### Per split\n\n| split | method | closed-set acc %% | score | AUROC | FPR@95%%TPR | TPR@5%%FPR | calibrated outside unknown / known %% |\n|---|---|---|---|---|---|---|---|\n")
	for _, e := range res.Ensembles {
		for _, s := range e.Names {
			sc, mm := e.Scores[s], e.MemberMean[s]
			w("| %d | %s | %.2f / %.2f | %s | %.3f / %.3f | %.3f / %.3f | %.3f / %.3f | %.1f / %.1f (members %.1f / %.1f) |\n", e.Split, e.Method, 100*e.Accuracy, 100*SpreadOf(e.MemberAccuracy).Mean, s,
				sc.AUROC, mm.AUROC, sc.FPRAt95TPR, mm.FPRAt95TPR, sc.TPRAt5FPR, mm.TPRAt5FPR, 100*sc.Outside.Unknown, 100*sc.Outside.Known, 100*mm.Outside.Unknown, 100*mm.Outside.Known)
		}
	}
	return b.String()
}
