package latent

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Paper defaults (section 5.2 and 6.1 of the paper).
const (
	// PaperNC is the number of classes of the paper's texture task.
	PaperNC = 5
	// PaperDC is the distance of every cluster centre from the origin.
	PaperDC = 0.85
	// PaperRC is the cluster radius r_c.
	PaperRC = 0.34
	// PaperBC is b_c, the similarity value at a cluster's boundary (eq 12).
	PaperBC = 0.79
	// PaperKG is k_g, the weight of L_G in the combined loss (eq 10).
	PaperKG = 0.2
)

// ErrOverlap is returned (wrapped) when two clusters overlap: r_i + r_j is
// not smaller than the distance between their centres. Overlapping clusters
// make the nearest-cluster label ambiguous and, when r_c >= R_d, eq 12
// divides by zero or a negative number, so lsconf refuses such layouts.
var ErrOverlap = errors.New("clusters overlap")

// Layout is a configured latent space: n_c cluster centres in n_d
// dimensions, one radius per class, and the derived constants of the
// similarity vector (eq 12-14).
//
// Build one with Circle, Spread or New; they validate it. A Layout is
// immutable after construction and safe for concurrent use.
type Layout struct {
	kind    string
	dc      float64
	centers [][]float64
	radii   []float64
	rd      float64
	bc      float64
	kb      float64
}

// Circle returns the paper's layout: nc centres on a circle of radius dc in
// two dimensions at angles 2*pi*i/nc, every cluster of radius rc, and
// b_c = PaperBC. Its R_d is d_c*sqrt(2*(1-cos(2*pi/n_c))) (eq 14).
func Circle(nc int, dc, rc float64) (*Layout, error) {
	if nc < 2 {
		return nil, fmt.Errorf("circle layout: n_c = %d, need at least 2 classes", nc)
	}
	if err := checkPositive("d_c", dc); err != nil {
		return nil, fmt.Errorf("circle layout: %w", err)
	}
	centers := make([][]float64, nc)
	for i := range centers {
		a := 2 * math.Pi * float64(i) / float64(nc)
		centers[i] = []float64{dc * math.Cos(a), dc * math.Sin(a)}
	}
	l, err := build("circle", dc, centers, uniformRadii(nc, rc), PaperBC)
	if err != nil {
		return nil, fmt.Errorf("circle layout: %w", err)
	}
	// Use the closed form of eq 14 rather than the measured minimum so that
	// the paper's R_d is reproduced to the last bit.
	l.rd = dc * math.Sqrt(2*(1-math.Cos(2*math.Pi/float64(nc))))
	return l, nil
}

// Spread returns nc centres spread evenly on the sphere of radius dc in nd
// dimensions, every cluster of radius rc.
//
//   - nd == 2: the paper's circle (same as Circle).
//   - nc <= nd+1: the vertices of a regular simplex (all centres pairwise
//     equidistant).
//   - otherwise: a spherical code found by deterministic repulsion (minimum
//     Riesz energy), which spreads the centres well but not provably
//     optimally.
//
// R_d is the smallest distance between two centres.
func Spread(nc, nd int, dc, rc float64) (*Layout, error) {
	if nc < 2 {
		return nil, fmt.Errorf("spread layout: n_c = %d, need at least 2 classes", nc)
	}
	if nd < 1 {
		return nil, fmt.Errorf("spread layout: n_d = %d, need at least 1 dimension", nd)
	}
	if err := checkPositive("d_c", dc); err != nil {
		return nil, fmt.Errorf("spread layout: %w", err)
	}
	if nd == 2 {
		return Circle(nc, dc, rc)
	}
	var centers [][]float64
	kind := "simplex"
	switch {
	case nc <= nd+1:
		centers = simplex(nc, nd)
	case nd == 1:
		return nil, fmt.Errorf("spread layout: n_c = %d centres cannot be spread evenly in 1 dimension (at most 2)", nc)
	default:
		kind = "spherical-code"
		centers = sphericalCode(nc, nd)
	}
	for _, c := range centers {
		for k := range c {
			c[k] *= dc
		}
	}
	l, err := build(kind, dc, centers, uniformRadii(nc, rc), PaperBC)
	if err != nil {
		return nil, fmt.Errorf("spread layout: %w", err)
	}
	return l, nil
}

// New returns a layout with the given centres (n_c rows of n_d coordinates),
// per-class radii and b_c. R_d is the smallest distance between two centres.
func New(centers [][]float64, radii []float64, bc float64) (*Layout, error) {
	cp := make([][]float64, len(centers))
	for i, c := range centers {
		cp[i] = append([]float64(nil), c...)
	}
	l, err := build("custom", 0, cp, append([]float64(nil), radii...), bc)
	if err != nil {
		return nil, fmt.Errorf("layout: %w", err)
	}
	return l, nil
}

func uniformRadii(n int, r float64) []float64 {
	rs := make([]float64, n)
	for i := range rs {
		rs[i] = r
	}
	return rs
}

func checkPositive(name string, x float64) error {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Errorf("%s = %v is not a finite number", name, x)
	}
	if x <= 0 {
		return fmt.Errorf("%s = %v, must be > 0", name, x)
	}
	return nil
}

// build validates centres and radii and derives R_d and k_b.
func build(kind string, dc float64, centers [][]float64, radii []float64, bc float64) (*Layout, error) {
	nc := len(centers)
	if nc < 2 {
		return nil, fmt.Errorf("n_c = %d, need at least 2 classes", nc)
	}
	nd := len(centers[0])
	if nd < 1 {
		return nil, fmt.Errorf("n_d = %d, need at least 1 dimension", nd)
	}
	for i, c := range centers {
		if len(c) != nd {
			return nil, fmt.Errorf("centre %d has %d coordinates, centre 0 has %d", i, len(c), nd)
		}
		for k, x := range c {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("centre %d coordinate %d is %v, not a finite number", i, k, x)
			}
		}
	}
	if len(radii) != nc {
		return nil, fmt.Errorf("%d radii for %d classes", len(radii), nc)
	}
	for i, r := range radii {
		if err := checkPositive(fmt.Sprintf("r_c of class %d", i), r); err != nil {
			return nil, err
		}
	}
	if math.IsNaN(bc) || bc <= 0 || bc >= 1 {
		return nil, fmt.Errorf("b_c = %v, must be in (0, 1)", bc)
	}
	rd := math.Inf(1)
	for i := range centers {
		for j := i + 1; j < nc; j++ {
			d := dist(centers[i], centers[j])
			rd = math.Min(rd, d)
			if radii[i]+radii[j] >= d {
				return nil, fmt.Errorf("%w: classes %d and %d have radii %g + %g >= centre distance %g (R_d/2 = %g is the largest equal radius)",
					ErrOverlap, i, j, radii[i], radii[j], d, rd/2)
			}
		}
	}
	return &Layout{
		kind:    kind,
		dc:      dc,
		centers: centers,
		radii:   radii,
		rd:      rd,
		bc:      bc,
		kb:      (1 - bc) / math.Sin(1),
	}, nil
}

// NC is the number of classes (clusters).
func (l *Layout) NC() int { return len(l.centers) }

// ND is the number of latent dimensions.
func (l *Layout) ND() int { return len(l.centers[0]) }

// Center returns a copy of centre i.
func (l *Layout) Center(i int) []float64 { return append([]float64(nil), l.centers[i]...) }

// Centers returns a copy of all centres, n_c rows of n_d coordinates.
func (l *Layout) Centers() [][]float64 {
	out := make([][]float64, len(l.centers))
	for i := range l.centers {
		out[i] = l.Center(i)
	}
	return out
}

// Radius returns r_c of class i.
func (l *Layout) Radius(i int) float64 { return l.radii[i] }

// Radii returns a copy of the per-class radii.
func (l *Layout) Radii() []float64 { return append([]float64(nil), l.radii...) }

// Rd is R_d, the distance between neighbouring centres (eq 14); for general
// layouts the smallest distance between two centres.
func (l *Layout) Rd() float64 { return l.rd }

// Bc is b_c, the similarity at a cluster's boundary (eq 12).
func (l *Layout) Bc() float64 { return l.bc }

// Kb is k_b = (1 - b_c)/sin(1) (eq 13).
func (l *Layout) Kb() float64 { return l.kb }

// Kind names how the layout was made: "circle", "simplex",
// "spherical-code" or "custom".
func (l *Layout) Kind() string { return l.kind }

// Dc is the distance of the centres from the origin given to Circle or
// Spread (0 for custom layouts).
func (l *Layout) Dc() float64 { return l.dc }

// MaxCenterNorm is the largest distance of a centre from the origin.
func (l *Layout) MaxCenterNorm() float64 {
	m := 0.0
	for _, c := range l.centers {
		m = math.Max(m, norm(c))
	}
	return m
}

// layoutJSON is the serialised form of a Layout.
type layoutJSON struct {
	Kind    string      `json:"kind"`
	NC      int         `json:"n_c"`
	ND      int         `json:"n_d"`
	Dc      float64     `json:"d_c,omitempty"`
	Centers [][]float64 `json:"centers"`
	Radii   []float64   `json:"radii"`
	Bc      float64     `json:"b_c"`
	Rd      float64     `json:"R_d"`
	Kb      float64     `json:"k_b"`
}

// MarshalJSON writes the layout with its derived constants (R_d, k_b) so a
// reader can see the numbers of a configuration.
func (l *Layout) MarshalJSON() ([]byte, error) {
	return json.Marshal(layoutJSON{
		Kind: l.kind, NC: l.NC(), ND: l.ND(), Dc: l.dc,
		Centers: l.centers, Radii: l.radii, Bc: l.bc, Rd: l.rd, Kb: l.kb,
	})
}

// UnmarshalJSON reads a layout written by MarshalJSON and validates it.
// The derived constants are recomputed, not trusted; R_d of a circle layout
// keeps the closed form of eq 14.
func (l *Layout) UnmarshalJSON(b []byte) error {
	var j layoutJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("layout JSON: %w", err)
	}
	if j.Bc == 0 {
		j.Bc = PaperBC
	}
	nl, err := build(j.Kind, j.Dc, j.Centers, j.Radii, j.Bc)
	if err != nil {
		return fmt.Errorf("layout JSON: %w", err)
	}
	if j.Kind == "circle" && j.Dc > 0 {
		nl.rd = j.Dc * math.Sqrt(2*(1-math.Cos(2*math.Pi/float64(nl.NC()))))
	}
	if nl.kind == "" {
		nl.kind = "custom"
	}
	*l = *nl
	return nil
}

// Equal reports whether two layouts have the same centres, radii and b_c
// (to within 1e-12), which is what makes encodings comparable.
func (l *Layout) Equal(o *Layout) bool {
	if l == nil || o == nil {
		return l == o
	}
	if l.NC() != o.NC() || l.ND() != o.ND() || math.Abs(l.bc-o.bc) > 1e-12 {
		return false
	}
	for i := range l.centers {
		if math.Abs(l.radii[i]-o.radii[i]) > 1e-12 {
			return false
		}
		for k := range l.centers[i] {
			if math.Abs(l.centers[i][k]-o.centers[i][k]) > 1e-12 {
				return false
			}
		}
	}
	return true
}

func dist(a, b []float64) float64 {
	s := 0.0
	for k := range a {
		d := a[k] - b[k]
		s += d * d
	}
	return math.Sqrt(s)
}

func norm(a []float64) float64 {
	s := 0.0
	for _, x := range a {
		s += x * x
	}
	return math.Sqrt(s)
}
