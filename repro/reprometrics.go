package repro

import (
	"fmt"

	"github.com/lsconf/lsconf/internal/document"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/search"
)

// genMetrics computes every plain-encoder run's metric-learning figures on
// its generalization set (every image a query against the others), by
// experiment name.
func genMetrics(runs []*RunResult, l *latent.Layout) (map[string]*search.SetMetrics, error) {
	out := map[string]*search.SetMetrics{}
	for _, r := range runs {
		if r.Experiment.Polar() || len(r.Points.YGen) == 0 || r.Gen == nil {
			continue
		}
		m, err := search.EvaluateSet(l, r.Points.ZGen, r.Points.YGen, 10, 2)
		if err != nil {
			return nil, fmt.Errorf("repro %s: generalization metrics: %w", r.Experiment.Name(), err)
		}
		out[r.Experiment.Name()] = m
	}
	return out, nil
}

// metricsTable shows the generalization-set metrics of the Table 2
// columns side by side, mean ± sd over the seeds.
func metricsTable(runs []*RunResult, gm map[string]*search.SetMetrics) (document.Table, bool) {
	rows := []struct {
		name string
		get  func(m *search.SetMetrics) float64
	}{
		{"P@1 (sim)", func(m *search.SetMetrics) float64 { return m.Sim.P1 }},
		{"P@10 (sim)", func(m *search.SetMetrics) float64 { return m.Sim.PK }},
		{"R-precision (sim)", func(m *search.SetMetrics) float64 { return m.Sim.RPrecision }},
		{"MAP@R (sim)", func(m *search.SetMetrics) float64 { return m.Sim.MAPR }},
		{"MRR (sim)", func(m *search.SetMetrics) float64 { return m.Sim.MRR }},
		{"P@1 (L2)", func(m *search.SetMetrics) float64 { return m.L2.P1 }},
		{"MAP@R (L2)", func(m *search.SetMetrics) float64 { return m.L2.MAPR }},
		{"NMI (nearest cluster)", func(m *search.SetMetrics) float64 { return m.Clustering.NMI }},
		{"AMI (nearest cluster)", func(m *search.SetMetrics) float64 { return m.Clustering.AMI }},
	}
	t := document.Table{Header: []string{"measure"}, Right: map[int]bool{}}
	cols := Table2Columns()
	for i, c := range cols {
		t.Header = append(t.Header, c.Label())
		t.Right[i+1] = true
	}
	found := false
	for _, row := range rows {
		cells := []string{row.name}
		for _, c := range cols {
			var xs []float64
			for _, r := range runs {
				if !r.Experiment.Polar() && r.Experiment.Mode == c.Mode && r.Experiment.Split == c.Split && gm[r.Experiment.Name()] != nil {
					xs = append(xs, row.get(gm[r.Experiment.Name()]))
					found = true
				}
			}
			cells = append(cells, ms(SpreadOf(xs), 3))
		}
		t.Rows = append(t.Rows, cells)
	}
	return t, found
}
