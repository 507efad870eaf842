package repro

import (
	"fmt"
	"math"
	"slices"
)

// Fusions of open-set scores: each part standardised by its mean and
// standard deviation on the validation images of the known classes (never
// on test images), the standardised parts summed. The parts are fixed in
// advance (fusionsFor), not chosen by their test figures.
const (
	// ScoreFuseLSKNN is the run's LS score plus the feature k-NN (k = 10).
	ScoreFuseLSKNN = "std. sum: LS + feature k-NN"
	// ScoreFuseLSAll is the run's LS score plus the all-levels k-NN.
	ScoreFuseLSAll = "std. sum: LS + all levels k-NN"
	// ScoreFuseLSRecon is the run's LS score plus the reconstruction error.
	ScoreFuseLSRecon = "std. sum: LS + reconstruction"
	// ScoreFuseLSAllRecon is the run's LS score plus the all-levels k-NN
	// plus the reconstruction error.
	ScoreFuseLSAllRecon = "std. sum: LS + all levels k-NN + reconstruction"
	// ScoreFuseMSPKNN is the MSP plus the feature k-NN (the control for a
	// run without an LS score, such as ce's).
	ScoreFuseMSPKNN = "std. sum: MSP + feature k-NN"
	// ScoreFuseMSPAll is the MSP plus the all-levels k-NN.
	ScoreFuseMSPAll = "std. sum: MSP + all levels k-NN"
)

// fusionScoreNames are the fusions in report order.
var fusionScoreNames = []string{ScoreFuseLSKNN, ScoreFuseLSAll, ScoreFuseLSRecon, ScoreFuseLSAllRecon, ScoreFuseMSPKNN, ScoreFuseMSPAll}

// fusion is a standardised sum of the scores named Parts (with Max, the
// largest standardised part instead of their sum).
type fusion struct {
	Name  string
	Parts []string
	Max   bool
}

// fusionsFor are the fusions of a run whose LS score is named ls (""
// when it has none: then the MSP fusions, named msp, stand in).
func fusionsFor(ls, msp string) []fusion {
	if ls == "" {
		return []fusion{
			{ScoreFuseMSPKNN, []string{msp, ScoreFeatKNN10}, false},
			{ScoreFuseMSPAll, []string{msp, ScoreAllKNN10}, false},
		}
	}
	return []fusion{
		{ScoreFuseLSKNN, []string{ls, ScoreFeatKNN10}, false},
		{ScoreFuseLSAll, []string{ls, ScoreAllKNN10}, false},
		{ScoreFuseLSRecon, []string{ls, ScoreRecon}, false},
		{ScoreFuseLSAllRecon, []string{ls, ScoreAllKNN10, ScoreRecon}, false},
	}
}

// standardiser maps a score x to (x - Mean) / SD.
type standardiser struct {
	Mean, SD float64
}

// fitStandardiser fits a standardiser on validation scores; scores that
// are not finite (or the math.MaxFloat64 that marks them) are left out.
func fitStandardiser(val []float64) (standardiser, error) {
	var xs []float64
	for _, x := range val {
		if !math.IsNaN(x) && !math.IsInf(x, 0) && x != math.MaxFloat64 {
			xs = append(xs, x)
		}
	}
	if len(xs) < 2 {
		return standardiser{}, fmt.Errorf("standardise: %d finite validation scores of %d", len(xs), len(val))
	}
	m := 0.0
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	v := 0.0
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	sd := math.Sqrt(v / float64(len(xs)-1))
	if !(sd > 0) {
		return standardiser{}, fmt.Errorf("standardise: the %d validation scores are all %g", len(xs), m)
	}
	return standardiser{Mean: m, SD: sd}, nil
}

// fittedFusion is a fusion with each part's standardiser.
type fittedFusion struct {
	fusion
	std []standardiser
}

// fitFusion fits f's standardisers on the validation scores val (by
// score name); ok is false when val lacks a part.
func fitFusion(f fusion, val map[string][]float64) (*fittedFusion, bool, error) {
	ft := &fittedFusion{fusion: f}
	for _, p := range f.Parts {
		xs, has := val[p]
		if !has {
			return nil, false, nil
		}
		s, err := fitStandardiser(xs)
		if err != nil {
			return nil, false, fmt.Errorf("fusion %q, part %q: %w", f.Name, p, err)
		}
		ft.std = append(ft.std, s)
	}
	return ft, true, nil
}

// apply returns the fused score of each image of scores (by score name,
// every part the same length); an image with a part not finite scores
// math.MaxFloat64, as an unscorable encoding does elsewhere.
func (ft *fittedFusion) apply(scores map[string][]float64) ([]float64, error) {
	n := -1
	for _, p := range ft.Parts {
		xs, ok := scores[p]
		if !ok || (n >= 0 && len(xs) != n) {
			return nil, fmt.Errorf("fusion %q: part %q missing or of another length", ft.Name, p)
		}
		n = len(xs)
	}
	out := make([]float64, n)
	for i := range out {
		if ft.Max {
			out[i] = math.Inf(-1)
		}
		for j, p := range ft.Parts {
			x := scores[p][i]
			if math.IsNaN(x) || math.IsInf(x, 0) || x == math.MaxFloat64 {
				out[i] = math.MaxFloat64
				break
			}
			if s := (x - ft.std[j].Mean) / ft.std[j].SD; ft.Max {
				out[i] = max(out[i], s)
			} else {
				out[i] += s
			}
		}
	}
	return out, nil
}

// addFusions fits each fusion of fs whose parts val has on val alone and
// adds the fused score to val and to every map of sets (the test images'
// scores); it returns the names added, in fs's order.
func addFusions(fs []fusion, val map[string][]float64, sets ...map[string][]float64) ([]string, error) {
	var names []string
	for _, f := range fs {
		ft, ok, err := fitFusion(f, val)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		fused := make([][]float64, len(sets)+1)
		for i, m := range append([]map[string][]float64{val}, sets...) {
			if fused[i], err = ft.apply(m); err != nil {
				return nil, err
			}
		}
		val[f.Name] = fused[0]
		for i, m := range sets {
			m[f.Name] = fused[i+1]
		}
		names = append(names, f.Name)
	}
	return names, nil
}

// inOrder returns the names of have in the order of order.
func inOrder(order []string, have func(string) bool) []string {
	return slices.DeleteFunc(slices.Clone(order), func(s string) bool { return !have(s) })
}
