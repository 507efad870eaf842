package search

import (
	"fmt"
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
	// Metrics are the metric-learning figures (evalmetrics.go).
	Metrics Metrics `json:"metrics"`
}

// Evaluate measures retrieval quality on the engine's records (see Eval).
// Records whose label is not a class name are searched but not used as
// queries.
func (e *Searcher) Evaluate(k int) (Eval, error) {
	classes := e.identity.Classes
	ev := Eval{K: k, Records: e.snap.Len(), ImagePerClass: map[string]float64{}, WordP: map[string]float64{}}
	if k <= 0 {
		return ev, fmt.Errorf("evaluate: k = %d", k)
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
				hits := e.x.search(q, k, Options{Exclude: func(id int64) bool { return id == self }}, 1)
				prec[j] = precision(hits, e.snap.Labels, e.snap.Labels[i], k)
				outside[j] = slices.Max(q) == 0
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
		q, err := e.PointQuery(e.Layout().Center(c))
		if err != nil {
			return ev, err
		}
		hits := e.x.search(q.V, k, Options{}, w)
		ev.WordP[name] = precision(hits, e.snap.Labels, name, k)
		ev.WordMean += ev.WordP[name] / float64(len(classes))
	}
	label := map[string]int{}
	for c, name := range classes {
		label[name] = c
	}
	m, err := e.evalMetrics(queries, label, k)
	if err != nil {
		return ev, err
	}
	ev.Metrics = m
	return ev, nil
}

// precision is the share of the k ranks holding a record with the wanted
// label and a positive score: a score of 0 is no similarity at all (ties
// at 0 are ranked by id, which says nothing about the query).
func precision(hits []Hit, labels []string, want string, k int) float64 {
	n := 0
	for _, h := range hits {
		if h.Score > 0 && labels[h.Pos] == want {
			n++
		}
	}
	return float64(n) / float64(k)
}
