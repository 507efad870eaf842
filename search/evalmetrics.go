package search

import (
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/metrics"
)

// MaxExactQueries bounds the image queries of Evaluate's metric-learning
// figures: each query is ranked exactly against every record (O(N) sims
// and a sort), so an index with more labelled records uses every step-th
// of them as a query (deterministic; Retrieval.Queries says how many).
const MaxExactQueries = 1000

// Metrics are the metric-learning figures of an index (package metrics,
// docs/search.md): retrieval by sim (eq 15), or by distance in z
// (EvaluateBy), with every labelled record a
// query against all others, exact, ties pessimistic; and NMI / AMI of the
// nearest-cluster label against the label on the labelled records.
type Metrics struct {
	// Retrieval holds P@1, P@k, R-precision, MAP@R and MRR (mean over
	// queries) and PerClass the same per query label.
	Retrieval metrics.Scores            `json:"retrieval"`
	PerClass  map[string]metrics.Scores `json:"retrieval_per_class"`
	// Skipped counts queries whose label no other record has.
	Skipped int `json:"skipped"`
	// Sampled is set when only every step-th labelled record was a query.
	Sampled bool `json:"sampled"`
	// Clustering is NMI and AMI (arithmetic normalisation, exact EMI).
	Clustering metrics.Clustering `json:"clustering"`
}

// evalMetrics computes Metrics over the labelled records queries (snapshot
// positions) with the class index of each.
func (e *Searcher) evalMetrics(queries []int, label map[string]int, k int, by Ranking) (Metrics, error) {
	classes := e.identity.Classes
	labels := make([]int, e.snap.Len())
	for i, l := range e.snap.Labels {
		if c, ok := label[l]; ok {
			labels[i] = c
		} else {
			labels[i] = -1
		}
	}
	m := Metrics{PerClass: map[string]metrics.Scores{}}
	qs := sampleQueries(queries)
	m.Sampled = len(qs) < len(queries)
	score := func(q int, dst []float64) {
		vq := e.x.V(q)
		for j := range dst {
			dst[j] = float64(latent.Sim32(vq, e.x.V(j)))
		}
	}
	if by == ByDistance {
		score = func(q int, dst []float64) {
			zq := e.z(q)
			for j := range dst {
				dst[j] = -zDistance(zq, e.z(j))
			}
		}
	}
	r, err := metrics.Evaluate(labels, score, metrics.Options{K: k, Queries: qs, Workers: e.x.nworkers()})
	if err != nil {
		return m, err
	}
	m.Retrieval, m.Skipped = r.Scores, r.Skipped
	for c, s := range r.PerLabel {
		m.PerClass[classes[c]] = s
	}
	m.Clustering, err = NearestClusters(e.Layout(), e.snap.Z, labels, queries)
	return m, err
}
