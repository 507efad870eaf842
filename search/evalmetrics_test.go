package search

import (
	"math"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// TestEvalMetrics: the exact P@k of package metrics agrees with Evaluate's
// top-k precision (two independent implementations: the engine's pruned
// search with ties by id and zero scores never relevant, and a full
// ranking with pessimistic ties), and the other figures are in range.
func TestEvalMetrics(t *testing.T) {
	e := clusterEngine(t, []string{"dots", "hlines", "squares", "uniform", "vlines"}, 25, latent.PaperRC)
	ev, err := e.Evaluate(10)
	if err != nil {
		t.Fatal(err)
	}
	m := ev.Metrics
	if m.Retrieval.Queries != ev.Labelled || m.Skipped != 0 || m.Sampled {
		t.Fatalf("metrics over %d queries (%d skipped), %d labelled", m.Retrieval.Queries, m.Skipped, ev.Labelled)
	}
	if math.Abs(m.Retrieval.PK-ev.ImageP) > 1e-9 {
		t.Errorf("P@10: metrics %v, engine %v", m.Retrieval.PK, ev.ImageP)
	}
	for c, s := range m.PerClass {
		if math.Abs(s.PK-ev.ImagePerClass[c]) > 1e-9 {
			t.Errorf("%s P@10: metrics %v, engine %v", c, s.PK, ev.ImagePerClass[c])
		}
	}
	r := m.Retrieval
	for _, x := range []float64{r.P1, r.RPrecision, r.MAPR, r.MRR} {
		if !(x > 0.5 && x <= 1) {
			t.Errorf("clean clusters: retrieval %+v", r)
		}
	}
	// every record lies within r_c of its own centre: the nearest cluster
	// is the label
	if math.Abs(m.Clustering.NMI-1) > 1e-12 || math.Abs(m.Clustering.AMI-1) > 1e-12 {
		t.Errorf("clustering %+v", m.Clustering)
	}
}
