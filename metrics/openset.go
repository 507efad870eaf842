package metrics

import (
	"errors"
	"math"
	"slices"
)

// OpenSet is how well a score separates positives ("outside" items) from
// negatives (known items); higher scores should mean positive.
type OpenSet struct {
	Positives int `json:"positives"`
	Negatives int `json:"negatives"`
	// AUROC counts tied pairs as half.
	AUROC float64 `json:"auroc"`
	// FPRAt95TPR is the share of negatives at or above the highest
	// threshold that keeps at least 95% of the positives at or above it.
	FPRAt95TPR float64 `json:"fpr_at_95_tpr"`
}

// Detect computes AUROC and FPR@95%TPR (package doc). Both sets must be
// non-empty and free of NaN.
func Detect(pos, neg []float64) (OpenSet, error) {
	o := OpenSet{Positives: len(pos), Negatives: len(neg)}
	if len(pos) == 0 || len(neg) == 0 {
		return o, errors.New("metrics: open-set detection needs positives and negatives")
	}
	for _, s := range append(slices.Clone(pos), neg...) {
		if math.IsNaN(s) {
			return o, errors.New("metrics: NaN score")
		}
	}
	o.AUROC = AUROC(pos, neg)
	o.FPRAt95TPR = FPRAtTPR(pos, neg, 0.95)
	return o, nil
}

// AUROC is the probability that a random positive scores above a random
// negative, ties counted half (the Mann-Whitney U statistic over
// len(pos)*len(neg)).
func AUROC(pos, neg []float64) float64 {
	n := slices.Sorted(slices.Values(neg))
	u := 0.0
	for _, p := range pos {
		lo, _ := slices.BinarySearch(n, p)
		hi := lo
		for hi < len(n) && n[hi] == p {
			hi++
		}
		u += float64(lo) + float64(hi-lo)/2
	}
	return u / float64(len(pos)) / float64(len(neg))
}

// FPRAtTPR is the share of negatives scoring at or above the highest
// threshold t for which at least a share tpr of the positives score at or
// above t.
func FPRAtTPR(pos, neg []float64, tpr float64) float64 {
	p := slices.Sorted(slices.Values(pos))
	slices.Reverse(p)
	// the smallest number of positives that reaches the rate
	need := int(math.Ceil(tpr*float64(len(p)) - 1e-12))
	need = min(max(need, 1), len(p))
	t := p[need-1]
	fp := 0
	for _, s := range neg {
		if s >= t {
			fp++
		}
	}
	return float64(fp) / float64(len(neg))
}

// OSCR is the open-set classification rate (Dhamija et al., NeurIPS
// 2018): the area under the curve of the correct classification rate
// (the share of known items both classified right and accepted) against
// the false-positive rate (the share of unknown items accepted), as the
// acceptance threshold sweeps. Scores follow Detect's convention (higher
// = more likely unknown): an item is accepted at threshold t when its
// score is at most t. Items of equal score enter together (the curve's
// segment between them is a straight line, as AUROC counts ties half).
// known and correct are the known items' scores and whether their class
// was right; unknown the unknown items' scores. Both sets must be
// non-empty.
func OSCR(known []float64, correct []bool, unknown []float64) (float64, error) {
	if len(known) == 0 || len(unknown) == 0 || len(correct) != len(known) {
		return 0, errors.New("metrics: OSCR needs known items (each with its correctness) and unknown items")
	}
	type item struct {
		s       float64
		unknown bool
		correct bool
	}
	items := make([]item, 0, len(known)+len(unknown))
	for i, s := range known {
		items = append(items, item{s: s, correct: correct[i]})
	}
	for _, s := range unknown {
		items = append(items, item{s: s, unknown: true})
	}
	for _, it := range items {
		if math.IsNaN(it.s) {
			return 0, errors.New("metrics: NaN score")
		}
	}
	slices.SortFunc(items, func(a, b item) int {
		switch {
		case a.s < b.s:
			return -1
		case a.s > b.s:
			return 1
		}
		return 0
	})
	nk, nu := float64(len(known)), float64(len(unknown))
	area, fpr, ccr := 0.0, 0.0, 0.0
	for i := 0; i < len(items); {
		j := i
		fp, cc := 0, 0
		for ; j < len(items) && items[j].s == items[i].s; j++ {
			if items[j].unknown {
				fp++
			} else if items[j].correct {
				cc++
			}
		}
		f2, c2 := fpr+float64(fp)/nu, ccr+float64(cc)/nk
		area += (f2 - fpr) * (c2 + ccr) / 2
		fpr, ccr = f2, c2
		i = j
	}
	return area, nil
}
