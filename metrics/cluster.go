package metrics

import (
	"fmt"
	"math"
)

// Clustering holds NMI and AMI of a predicted assignment against the true
// labels (package doc).
type Clustering struct {
	// N is the number of items, Labels and Clusters the distinct true
	// labels and predicted clusters.
	N        int `json:"n"`
	Labels   int `json:"labels"`
	Clusters int `json:"clusters"`
	// MI is the mutual information (nats), EMI its expected value under
	// the permutation model.
	MI  float64 `json:"mi"`
	EMI float64 `json:"emi"`
	// NMI and AMI use arithmetic normalisation.
	NMI float64 `json:"nmi"`
	AMI float64 `json:"ami"`
}

// contingency counts the pairs (truth, pred) and the marginals.
func contingency(truth, pred []int) (table [][]int, a, b []int) {
	ti, pi := map[int]int{}, map[int]int{}
	for i := range truth {
		if _, ok := ti[truth[i]]; !ok {
			ti[truth[i]] = len(ti)
		}
		if _, ok := pi[pred[i]]; !ok {
			pi[pred[i]] = len(pi)
		}
	}
	table = make([][]int, len(ti))
	for i := range table {
		table[i] = make([]int, len(pi))
	}
	a, b = make([]int, len(ti)), make([]int, len(pi))
	for i := range truth {
		r, c := ti[truth[i]], pi[pred[i]]
		table[r][c]++
		a[r]++
		b[c]++
	}
	return table, a, b
}

func entropy(counts []int, n int) float64 {
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log(p)
		}
	}
	return h
}

// Cluster computes NMI and AMI of pred against truth (same length, any
// integer labels). As scikit-learn: when both labelings have one class
// (or none), NMI and AMI are 1; AMI's denominator is kept at least
// machine epsilon away from 0.
func Cluster(truth, pred []int) (Clustering, error) {
	if len(truth) != len(pred) {
		return Clustering{}, fmt.Errorf("metrics: %d labels and %d predictions", len(truth), len(pred))
	}
	n := len(truth)
	table, a, b := contingency(truth, pred)
	c := Clustering{N: n, Labels: len(a), Clusters: len(b)}
	if (len(a) == 1 && len(b) == 1) || (len(a) == 0 && len(b) == 0) {
		c.NMI, c.AMI = 1, 1
		return c, nil
	}
	for i, row := range table {
		for j, nij := range row {
			if nij == 0 {
				continue
			}
			p := float64(nij) / float64(n)
			c.MI += p * (math.Log(float64(nij)) + math.Log(float64(n)) - math.Log(float64(a[i])) - math.Log(float64(b[j])))
		}
	}
	c.MI = max(c.MI, 0)
	ha, hb := entropy(a, n), entropy(b, n)
	norm := (ha + hb) / 2
	if norm > 0 {
		c.NMI = c.MI / norm
	}
	c.EMI = ExpectedMI(a, b)
	den := norm - c.EMI
	eps := math.Nextafter(1, 2) - 1
	if den < 0 {
		den = min(den, -eps)
	} else {
		den = max(den, eps)
	}
	c.AMI = (c.MI - c.EMI) / den
	return c, nil
}

// ExpectedMI is the exact expected mutual information (nats) of two
// labelings with the marginal counts a and b under the permutation
// (hypergeometric) model, Vinh, Epps and Bailey (2010) eq. 24A, computed
// with log-gamma.
func ExpectedMI(a, b []int) float64 {
	n := 0
	for _, x := range a {
		n += x
	}
	N := float64(n)
	lf := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	lfN := lf(n)
	emi := 0.0
	for _, ai := range a {
		for _, bj := range b {
			lo := max(1, ai+bj-n)
			hi := min(ai, bj)
			fixed := lf(ai) + lf(bj) + lf(n-ai) + lf(n-bj) - lfN
			for nij := lo; nij <= hi; nij++ {
				x := float64(nij)
				term := x / N * (math.Log(N*x) - math.Log(float64(ai)*float64(bj)))
				lp := fixed - lf(nij) - lf(ai-nij) - lf(bj-nij) - lf(n-ai-bj+nij)
				emi += term * math.Exp(lp)
			}
		}
	}
	return emi
}
