package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"
)

// CurvesSpec describes a figure of per-epoch charts stacked vertically
// with a shared x axis.
type CurvesSpec struct {
	// Title is drawn above the charts ("" for none).
	Title string
	// Epochs are the x values; nil means 1, 2, ..., n (n the length of the
	// first series).
	Epochs []float64
	// XLabel names the x axis; "" means "epoch".
	XLabel string
	// Panels are drawn top to bottom; panels without series are left out.
	Panels []Panel
	// Width is the width of the data areas in inches; 0 means 5.
	Width float64
}

// Curves draws per-epoch series as stacked charts. Every series must have
// one value per epoch (NaN where not measured); infinite values are
// skipped and counted in the figure's notes.
func Curves(s CurvesSpec) (fig *Figure, err error) {
	defer func() {
		if r := recover(); r != nil {
			fig, err = nil, fmt.Errorf("curves: %v", r)
		}
	}()
	st, err := curvesStack(s)
	if err != nil {
		return nil, err
	}
	return st.figure(), nil
}

// curvesStack validates the spec and builds its charts.
func curvesStack(s CurvesSpec) (*stack, error) {
	xs := s.Epochs
	if xs == nil {
		n := 0
		for _, p := range s.Panels {
			if len(p.Series) > 0 {
				n = len(p.Series[0].Values)
				break
			}
		}
		for i := 1; i <= n; i++ {
			xs = append(xs, float64(i))
		}
	}
	for i, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("curves: epoch %d is %v", i, x)
		}
	}
	xl := s.XLabel
	if xl == "" {
		xl = "epoch"
	}
	var charts []*lineChart
	skipped := 0
	for _, p := range s.Panels {
		if len(p.Series) == 0 {
			continue
		}
		c, k, err := newLineChart(p.Title, xl, xs, p)
		if err != nil {
			return nil, fmt.Errorf("curves: panel %q: %w", p.Title, err)
		}
		skipped += k
		charts = append(charts, c)
	}
	var notes []string
	if len(charts) == 0 {
		c, _, _ := newLineChart("", xl, xs, Panel{})
		charts = append(charts, c)
		notes = append(notes, "no series to draw")
	}
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d infinite %s skipped", skipped, plural(skipped, "value", "values")))
	}
	w := s.Width
	if w == 0 {
		w = 5
	}
	if !(w > 0) || w > 100 {
		return nil, fmt.Errorf("curves: width %v inches must be in (0, 100]", s.Width)
	}
	return &stack{title: s.Title, charts: charts, w: vg.Length(w) * vg.Inch, h: 1.8 * vg.Inch, notes: notes}, nil
}

// TrainingMetrics are the per-epoch series of a training run, as the
// trainer's metrics log holds them. Each non-nil slice has one value per
// epoch (NaN where not measured); nil slices are left out.
type TrainingMetrics struct {
	// Epochs are the x values; nil means 1, 2, ..., n.
	Epochs []float64
	// Loss is the total loss, CE its cross-entropy part, LG the geometric
	// loss L_G (eq 8, unweighted).
	Loss, CE, LG []float64
	// TrainAcc, TestAcc and GenAcc are accuracies as fractions in [0, 1];
	// they are drawn in percent.
	TrainAcc, TestAcc, GenAcc []float64
}

// TrainingCurves draws a run's training curves as up to three panels: the
// loss (total and CE), the geometric loss L_G (its own panel: as a sum
// over the batch its scale differs from the CE's), and the train / test /
// generalization accuracy in percent on a fixed 0-100 axis.
func TrainingCurves(title string, m TrainingMetrics) (*Figure, error) {
	var loss, lg, acc []Series
	add := func(dst *[]Series, name string, v []float64) {
		if v != nil {
			*dst = append(*dst, Series{Name: name, Values: v})
		}
	}
	add(&loss, "total", m.Loss)
	add(&loss, "CE", m.CE)
	add(&lg, "L_G", m.LG)
	for _, a := range []struct {
		name string
		v    []float64
	}{{"train", m.TrainAcc}, {"test", m.TestAcc}, {"generalization", m.GenAcc}} {
		if a.v == nil {
			continue
		}
		pct := make([]float64, len(a.v))
		for i, x := range a.v {
			if x < 0 || x > 1 {
				return nil, fmt.Errorf("training curves: %s accuracy %v at index %d is not a fraction in [0, 1]", a.name, x, i)
			}
			pct[i] = 100 * x
		}
		acc = append(acc, Series{Name: a.name, Values: pct})
	}
	return Curves(CurvesSpec{
		Title:  title,
		Epochs: m.Epochs,
		Panels: []Panel{
			{Title: "loss", YLabel: "loss", Series: loss},
			{Title: "geometric loss", YLabel: "L_G", Series: lg},
			{Title: "accuracy", YLabel: "accuracy (%)", Series: acc, YMin: 0, YMax: 100},
		},
	})
}
