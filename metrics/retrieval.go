package metrics

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// Scores are the retrieval metrics of one query, or their mean over
// queries.
type Scores struct {
	// Queries is the number of queries averaged (1 for one query).
	Queries int `json:"queries"`
	// P1, PK, RPrecision, MAPR and MRR are P@1, P@k, R-precision, MAP@R
	// and MRR (package doc).
	P1         float64 `json:"p_at_1"`
	PK         float64 `json:"p_at_k"`
	RPrecision float64 `json:"r_precision"`
	MAPR       float64 `json:"map_at_r"`
	MRR        float64 `json:"mrr"`
}

// Retrieval is the result of Evaluate: the means over all queries and per
// query label.
type Retrieval struct {
	// K is the k of P@k.
	K int `json:"k"`
	// Scores are the means over the queries that have at least one
	// relevant item.
	Scores
	// Skipped counts the queries left out because no other item has their
	// label (R = 0).
	Skipped int `json:"skipped"`
	// PerLabel are the means over the queries of each label.
	PerLabel map[int]Scores `json:"per_label"`
}

// RankRelevance orders items by score, highest first, with ties ordered
// pessimistically (non-relevant before relevant), and returns the
// relevance of each rank. scores and relevant have one entry per
// candidate (the query itself already removed); NaN scores rank last.
func RankRelevance(scores []float64, relevant []bool) []bool {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	key := func(i int) float64 {
		if math.IsNaN(scores[i]) {
			return math.Inf(-1)
		}
		return scores[i]
	}
	sort.SliceStable(idx, func(a, b int) bool {
		sa, sb := key(idx[a]), key(idx[b])
		if sa != sb {
			return sa > sb
		}
		return !relevant[idx[a]] && relevant[idx[b]]
	})
	out := make([]bool, len(idx))
	for r, i := range idx {
		out[r] = relevant[i]
	}
	return out
}

// QueryScores computes the metrics of one query from the relevance of its
// ranked results (RankRelevance) and k. ok is false when no result is
// relevant (R = 0): the query has no defined R-precision or MAP@R.
func QueryScores(rel []bool, k int) (s Scores, ok bool) {
	r := 0
	for _, x := range rel {
		if x {
			r++
		}
	}
	if r == 0 {
		return Scores{}, false
	}
	s.Queries = 1
	hits := 0
	first := 0
	for i, x := range rel {
		if x {
			hits++
			if first == 0 {
				first = i + 1
			}
		}
		if i < r && x {
			s.MAPR += float64(hits) / float64(i+1)
		}
		if i+1 == 1 {
			s.P1 = float64(hits)
		}
		if i+1 == k {
			s.PK = float64(hits) / float64(k)
		}
		if i+1 == r {
			s.RPrecision = float64(hits) / float64(r)
		}
	}
	if k > len(rel) {
		s.PK = float64(hits) / float64(k)
	}
	s.MAPR /= float64(r)
	s.MRR = 1 / float64(first)
	return s, true
}

// Options configure Evaluate.
type Options struct {
	// K is the k of P@k (default 10).
	K int
	// Queries are the items used as queries (nil: every labelled item).
	Queries []int
	// Workers is the number of goroutines (<= 1: one).
	Workers int
}

// Evaluate ranks, for every query, all other items by score and averages
// the retrieval metrics by label (package doc). labels has one entry per
// item; a negative label marks an unlabelled item, a candidate that is
// never relevant and never a query. score(q, dst) writes the score of
// every item for query q into dst (len(labels) entries; dst[q] is
// ignored); it is called from Workers goroutines at once.
func Evaluate(labels []int, score func(q int, dst []float64), opt Options) (Retrieval, error) {
	k := opt.K
	if k == 0 {
		k = 10
	}
	res := Retrieval{K: k, PerLabel: map[int]Scores{}}
	if k < 0 {
		return res, fmt.Errorf("metrics: k = %d", k)
	}
	if score == nil {
		return res, errors.New("metrics: no score function")
	}
	queries := opt.Queries
	if queries == nil {
		for i, l := range labels {
			if l >= 0 {
				queries = append(queries, i)
			}
		}
	}
	for _, q := range queries {
		if q < 0 || q >= len(labels) || labels[q] < 0 {
			return res, fmt.Errorf("metrics: query %d is not a labelled item of %d", q, len(labels))
		}
	}
	per := make([]Scores, len(queries))
	okq := make([]bool, len(queries))
	w := max(opt.Workers, 1)
	var wg sync.WaitGroup
	for t := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			all := make([]float64, len(labels))
			sc := make([]float64, 0, len(labels))
			rel := make([]bool, 0, len(labels))
			for j := t; j < len(queries); j += w {
				q := queries[j]
				score(q, all)
				sc, rel = sc[:0], rel[:0]
				for i, l := range labels {
					if i == q {
						continue
					}
					sc = append(sc, all[i])
					rel = append(rel, l == labels[q])
				}
				per[j], okq[j] = QueryScores(RankRelevance(sc, rel), k)
			}
		}()
	}
	wg.Wait()
	byLabel := map[int][]Scores{}
	var all []Scores
	for j, q := range queries {
		if !okq[j] {
			res.Skipped++
			continue
		}
		all = append(all, per[j])
		byLabel[labels[q]] = append(byLabel[labels[q]], per[j])
	}
	res.Scores = Mean(all)
	for l, s := range byLabel {
		res.PerLabel[l] = Mean(s)
	}
	return res, nil
}

// Mean averages scores, weighting each by its Queries.
func Mean(s []Scores) Scores {
	var m Scores
	for _, x := range s {
		n := float64(x.Queries)
		m.Queries += x.Queries
		m.P1 += n * x.P1
		m.PK += n * x.PK
		m.RPrecision += n * x.RPrecision
		m.MAPR += n * x.MAPR
		m.MRR += n * x.MRR
	}
	if m.Queries > 0 {
		n := float64(m.Queries)
		m.P1 /= n
		m.PK /= n
		m.RPrecision /= n
		m.MAPR /= n
		m.MRR /= n
	}
	return m
}

// Labels returns the sorted labels of a per-label map (for printing in a
// fixed order).
func Labels(m map[int]Scores) []int {
	out := make([]int, 0, len(m))
	for l := range m {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}
