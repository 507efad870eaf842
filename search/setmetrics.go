package search

import (
	"fmt"
	"math"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/metrics"
)

// SetMetrics are the metric-learning figures of a set of encodings (a
// test or generalization set, not an index): retrieval ranked by sim (eq
// 15 on v) and by Euclidean distance in z, and the nearest-cluster NMI /
// AMI. lsconf eval and the reports show them.
type SetMetrics struct {
	K int `json:"k"`
	// Sim and L2 are the retrieval means (package metrics) by the two
	// rankings, with the per-label means.
	Sim metrics.Retrieval `json:"sim"`
	L2  metrics.Retrieval `json:"l2"`
	// Clustering compares the nearest-cluster label with the label.
	Clustering metrics.Clustering `json:"clustering"`
}

// Rankings ranks, for each query (nil: every item with a label >= 0),
// all other items of z (n x l.ND() encodings) by sim and by distance and
// returns the retrieval metrics of both (ties pessimistic, package
// metrics). labels may name classes the layout does not have (unseen
// classes); negative labels are never relevant.
func Rankings(l *latent.Layout, z []float32, labels []int, queries []int, k, workers int) (sim, l2 metrics.Retrieval, err error) {
	nd := l.ND()
	n := len(labels)
	if len(z) != n*nd {
		return sim, l2, fmt.Errorf("rankings: %d encodings of %d values for %d labels", len(z), nd, n)
	}
	v := make([]float32, n*l.NC())
	for i := range n {
		l.V32(z[i*nd:(i+1)*nd], v[i*l.NC():(i+1)*l.NC()])
	}
	vi := func(i int) []float32 { return v[i*l.NC() : (i+1)*l.NC()] }
	opt := metrics.Options{K: k, Queries: queries, Workers: workers}
	sim, err = metrics.Evaluate(labels, func(q int, dst []float64) {
		for j := range dst {
			dst[j] = float64(latent.Sim32(vi(q), vi(j)))
		}
	}, opt)
	if err != nil {
		return sim, l2, err
	}
	l2, err = metrics.Evaluate(labels, func(q int, dst []float64) {
		for j := range dst {
			s := 0.0
			for d := range nd {
				x := float64(z[q*nd+d]) - float64(z[j*nd+d])
				s += x * x
			}
			if math.IsNaN(s) {
				s = math.Inf(1)
			}
			dst[j] = -math.Sqrt(s)
		}
	}, opt)
	return sim, l2, err
}

// NearestClusters compares the nearest-cluster label (latent.Classify) of
// the items at positions items with their labels (NMI, AMI). Non-finite
// encodings form a cluster of their own.
func NearestClusters(l *latent.Layout, z []float32, labels []int, items []int) (metrics.Clustering, error) {
	nd := l.ND()
	truth := make([]int, len(items))
	pred := make([]int, len(items))
	p := make([]float64, nd)
	for j, i := range items {
		truth[j] = labels[i]
		for d := range p {
			p[d] = float64(z[i*nd+d])
		}
		if c, _, err := l.Classify(p); err == nil {
			pred[j] = c
		} else {
			pred[j] = -1
		}
	}
	return metrics.Cluster(truth, pred)
}

// EvaluateSet computes SetMetrics of n encodings with labels in 0..n_c-1
// (every item a query; at most MaxExactQueries, every step-th beyond).
func EvaluateSet(l *latent.Layout, z []float32, labels []int32, k, workers int) (*SetMetrics, error) {
	lab := make([]int, len(labels))
	all := make([]int, len(labels))
	for i, y := range labels {
		lab[i], all[i] = int(y), i
	}
	m := &SetMetrics{K: k}
	var err error
	if m.Sim, m.L2, err = Rankings(l, z, lab, sampleQueries(all), k, workers); err != nil {
		return nil, err
	}
	if m.Clustering, err = NearestClusters(l, z, lab, all); err != nil {
		return nil, err
	}
	return m, nil
}

// sampleQueries keeps at most MaxExactQueries queries: every step-th.
func sampleQueries(qs []int) []int {
	if len(qs) <= MaxExactQueries {
		return qs
	}
	step := (len(qs) + MaxExactQueries - 1) / MaxExactQueries
	var out []int
	for j := 0; j < len(qs); j += step {
		out = append(out, qs[j])
	}
	return out
}
