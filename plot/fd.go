package plot

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/plot/vg"

	"github.com/lsconf/lsconf/latent"
)

// FDSpec describes an f_d curve figure (paper Figure 6).
type FDSpec struct {
	// Title is drawn above the chart; "" gives the formula.
	Title string
	// Radii are the r_c of the curves; nil means {2}, the paper's figure.
	Radii []float64
	// XMax is the right end of the x axis (x runs from 0); 0 means 2.5
	// times the largest radius.
	XMax float64
}

// FDCurve draws f_d(x, r_c) = exp(ReLU(x - r_c)) - 1 (eq 9, latent.FD)
// for x in [0, XMax], one curve per radius, with a dashed guide at each
// r_c: zero inside the cluster, exponential outside.
func FDCurve(s FDSpec) (fig *Figure, err error) {
	defer func() {
		if r := recover(); r != nil {
			fig, err = nil, fmt.Errorf("f_d curve: %v", r)
		}
	}()
	st, err := fdStack(s)
	if err != nil {
		return nil, err
	}
	return st.figure(), nil
}

// fdStack builds the f_d chart.
func fdStack(s FDSpec) (*stack, error) {
	radii := s.Radii
	if radii == nil {
		radii = []float64{2}
	}
	if len(radii) == 0 {
		return nil, fmt.Errorf("f_d curve: no radius")
	}
	rmax := 0.0
	for _, r := range radii {
		if !(r > 0) || math.IsInf(r, 0) {
			return nil, fmt.Errorf("f_d curve: radius %v must be a finite number > 0", r)
		}
		rmax = math.Max(rmax, r)
	}
	xmax := s.XMax
	if xmax == 0 {
		xmax = 2.5 * rmax
	}
	if !(xmax > 0) || math.IsInf(xmax, 0) || xmax-rmax > 700 {
		return nil, fmt.Errorf("f_d curve: x max %v must be > 0, finite and at most r_c + 700 (exp overflows)", s.XMax)
	}
	const n = 400
	xs := make([]float64, 0, n+len(radii)+1)
	for i := 0; i <= n; i++ {
		xs = append(xs, xmax*float64(i)/n)
	}
	for _, r := range radii {
		if r < xmax {
			xs = append(xs, r) // the kink exactly
		}
	}
	sort.Float64s(xs)
	p := Panel{YLabel: "f_d(x, r_c)"}
	var guides []guide
	for _, r := range radii {
		vals := make([]float64, len(xs))
		for i, x := range xs {
			vals[i] = latent.FD(x, r)
		}
		p.Series = append(p.Series, Series{Name: fmt.Sprintf("r_c = %g", r), Values: vals})
		guides = append(guides, guide{x: r, label: fmt.Sprintf("r_c = %g", r)})
	}
	title := s.Title
	if title == "" {
		title = "f_d(x, r_c) = exp(ReLU(x - r_c)) - 1"
	}
	c, _, err := newLineChart("", "x (distance to the cluster centre)", xs, p)
	if err != nil {
		return nil, fmt.Errorf("f_d curve: %w", err)
	}
	c.xmin, c.xmax = 0, xmax
	c.markers = false
	c.vlines = guides
	return &stack{title: title, charts: []*lineChart{c}, w: 4.5 * vg.Inch, h: 3 * vg.Inch}, nil
}
