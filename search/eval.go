package search

import (
	"fmt"
	"math"
	"slices"
	"sync"
)

// Eval is retrieval quality by class label: mean precision@k of image
// queries (every labelled record as a query against the others) and of
// each class word (the class centre as the query point).
type Eval struct {
	K int `json:"k"`
	// Records is the number of records searched, Labelled how many have a
	// label that is one of the classes.
	Records  int `json:"records"`
	Labelled int `json:"labelled"`
	// ImageP is the mean precision@k over all image queries; ImagePerClass
	// the mean per query label.
	ImageP        float64            `json:"image_precision"`
	ImagePerClass map[string]float64 `json:"image_precision_per_class"`
	// WordP is precision@k of each class word; WordMean their mean.
	WordP    map[string]float64 `json:"word_precision"`
	WordMean float64            `json:"word_precision_mean"`
	// Outside counts query records whose v is all zero (outside the
	// configured space: every score is 0, so their precision is 0; results
	// with score 0 never count as relevant).
	Outside int `json:"outside"`
	// By is "distance" when the records were ranked by Euclidean distance
	// in z (EvaluateBy); empty for sim.
	By string `json:"by,omitempty"`
	// Metrics are the metric-learning figures (evalmetrics.go).
	Metrics Metrics `json:"metrics"`
}

// Ranking is what Evaluate ranks by.
type Ranking string

// The rankings of Evaluate: sim (eq 15 on v, the search's own ranking)
// or plain Euclidean distance in z (the ranking a model without a
// configured space, such as ce, is compared by).
const (
	BySim      Ranking = "sim"
	ByDistance Ranking = "distance"
)

// ParseRanking reads "sim" or "distance".
func ParseRanking(s string) (Ranking, error) {
	switch r := Ranking(s); r {
	case BySim, ByDistance:
		return r, nil
	}
	return "", fmt.Errorf("ranking %q: want sim or distance", s)
}

// Evaluate measures retrieval quality by sim on the engine's records (see
// Eval). Records whose label is not a class name are searched but not
// used as queries.
func (e *Searcher) Evaluate(k int) (Eval, error) { return e.EvaluateBy(k, BySim) }

// EvaluateBy is Evaluate with the ranking by: sim, or Euclidean distance
// in z (image queries against the records' z, class words from their
// centres; every rank counts, there is no score of 0 to discount).
func (e *Searcher) EvaluateBy(k int, by Ranking) (Eval, error) {
	classes := e.identity.Classes
	ev := Eval{K: k, Records: e.snap.Len(), ImagePerClass: map[string]float64{}, WordP: map[string]float64{}}
	if by == ByDistance {
		ev.By = string(by)
	}
	if k <= 0 {
		return ev, fmt.Errorf("evaluate: k = %d", k)
	}
	if _, err := ParseRanking(string(by)); err != nil {
		return ev, fmt.Errorf("evaluate: %w", err)
	}
	isClass := map[string]bool{}
	for _, c := range classes {
		isClass[c] = true
	}
	var queries []int
	for i, l := range e.snap.Labels {
		if isClass[l] {
			queries = append(queries, i)
		}
	}
	ev.Labelled = len(queries)
	if len(queries) < 2 {
		return ev, fmt.Errorf("evaluate: %d labelled records (labels must be class names %v)", len(queries), classes)
	}
	prec := make([]float64, len(queries))
	outside := make([]bool, len(queries))
	var wg sync.WaitGroup
	w := e.x.nworkers()
	for t := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := t; j < len(queries); j += w {
				i := queries[j]
				self := e.snap.IDs[i]
				q := e.x.V(i)
				outside[j] = slices.Max(q) == 0
				if by == ByDistance {
					prec[j] = precision(e.nearestHits(e.z(i), k, self), e.snap.Labels, e.snap.Labels[i], k, false)
					continue
				}
				hits := e.x.search(q, k, Options{Exclude: func(id int64) bool { return id == self }}, 1)
				prec[j] = precision(hits, e.snap.Labels, e.snap.Labels[i], k, true)
			}
		}()
	}
	wg.Wait()
	sum := map[string]float64{}
	cnt := map[string]int{}
	for j, i := range queries {
		l := e.snap.Labels[i]
		sum[l] += prec[j]
		cnt[l]++
		ev.ImageP += prec[j]
		if outside[j] {
			ev.Outside++
		}
	}
	ev.ImageP /= float64(len(queries))
	for l, s := range sum {
		ev.ImagePerClass[l] = s / float64(cnt[l])
	}
	for c, name := range classes {
		centre := e.Layout().Center(c)
		if by == ByDistance {
			z := make([]float32, len(centre))
			for d, x := range centre {
				z[d] = float32(x)
			}
			ev.WordP[name] = precision(e.nearestHits(z, k, 0), e.snap.Labels, name, k, false)
		} else {
			q, err := e.pointQuery(centre)
			if err != nil {
				return ev, err
			}
			hits := e.x.search(q.V, k, Options{}, w)
			ev.WordP[name] = precision(hits, e.snap.Labels, name, k, true)
		}
		ev.WordMean += ev.WordP[name] / float64(len(classes))
	}
	label := map[string]int{}
	for c, name := range classes {
		label[name] = c
	}
	m, err := e.evalMetrics(queries, label, k, by)
	if err != nil {
		return ev, err
	}
	ev.Metrics = m
	return ev, nil
}

// nearestHits are the k records nearest to z by Euclidean distance (ties
// by lower id), the record self left out; Score is minus the distance.
func (e *Searcher) nearestHits(z []float32, k int, self int64) []Hit {
	top := newTopK(min(k, e.snap.Len()))
	for p, id := range e.snap.IDs {
		if id == self {
			continue
		}
		top.push(Hit{ID: id, Pos: p, Score: -float32(zDistance(z, e.z(p)))})
	}
	return top.sorted()
}

// zDistance is the Euclidean distance of two encodings (+Inf when not a
// number).
func zDistance(a, b []float32) float64 {
	s := 0.0
	for d := range a {
		x := float64(a[d]) - float64(b[d])
		s += x * x
	}
	if math.IsNaN(s) {
		return math.Inf(1)
	}
	return math.Sqrt(s)
}

// precision is the share of the k ranks holding a record with the wanted
// label and, by sim, a positive score: a score of 0 is no similarity at
// all (ties at 0 are ranked by id, which says nothing about the query).
func precision(hits []Hit, labels []string, want string, k int, bySim bool) float64 {
	n := 0
	for _, h := range hits {
		if (h.Score > 0 || !bySim) && labels[h.Pos] == want {
			n++
		}
	}
	return float64(n) / float64(k)
}
