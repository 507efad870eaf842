package plot

import (
	"fmt"
	"math"

	"github.com/lsconf/lsconf/latent"
)

// Marker radii, in points, of the paper's two kinds of LS points.
const (
	// SmallPoint is the marker radius of training encodings.
	SmallPoint = 1.2
	// LargePoint is the marker radius of generalization encodings.
	LargePoint = 3.5
)

// Views of the paper's LS figures: the square [-Half, Half]^2.
const (
	// ConfiguredHalf is the view of configured (ce+g) runs: [-2, 2].
	ConfiguredHalf = 2
	// WideHalf is the wide view of unconfigured (ce) runs: [-40, 40]
	// (paper Figure 9).
	WideHalf = 40
)

// Cloud is one set of LS encodings drawn with one marker size.
type Cloud struct {
	// Name is the cloud's legend entry, e.g. "train" or "generalization";
	// "" gives it no entry.
	Name string
	// Points are the encodings, n x n_d.
	Points [][]float64
	// Labels are the class indices of the points (n of them); -1 marks an
	// unlabeled point (drawn grey). nil means all unlabeled.
	Labels []int
	// Radius is the marker radius in points; 0 means SmallPoint.
	Radius float64
	// Outline draws each marker with a thin dark edge (for large points
	// over small ones).
	Outline bool
}

// Points turns flat encodings (n*nd float32 values, as a model returns
// them) and their labels into the points and labels of a Cloud.
func Points(z []float32, labels []int32, nd int) ([][]float64, []int) {
	pts := make([][]float64, len(labels))
	lab := make([]int, len(labels))
	for i := range labels {
		p := make([]float64, nd)
		for k := range p {
			p[k] = float64(z[i*nd+k])
		}
		pts[i], lab[i] = p, int(labels[i])
	}
	return pts, lab
}

// TrainCloud returns the paper's training cloud: small points, no outline.
func TrainCloud(name string, points [][]float64, labels []int) Cloud {
	return Cloud{Name: name, Points: points, Labels: labels, Radius: SmallPoint}
}

// GeneralizationCloud returns the paper's generalization cloud: large
// outlined points; above GenLargeMax points the markers shrink (to 1.5 x
// SmallPoint at most 1/sqrt(n)) so that a large set does not hide the
// training points.
func GeneralizationCloud(name string, points [][]float64, labels []int) Cloud {
	return Cloud{Name: name, Points: points, Labels: labels, Radius: genRadius(len(points)), Outline: true}
}

// View is the square region of the LS a scatter shows, [-Half, Half] on
// both axes. Half = 0 chooses it from the data: the largest |coordinate|
// of the points, the centres' circles and the query, rounded up to 1, 2,
// 2.5 or 5 times a power of ten, so the view stays symmetric about the
// origin.
type View struct {
	Half float64
}

// ScatterSpec describes an LS scatter figure (paper Figures 5, 7, 8, 9).
type ScatterSpec struct {
	// Title is drawn above the figure ("" for none).
	Title string
	// Classes names the classes, index = label. When nil, the classes are
	// "class 0" .. "class k-1" with k the layout's n_c, or one more than
	// the largest label without a layout.
	Classes []string
	// Clouds are drawn in order (later clouds on top); within a cloud,
	// points are drawn in input order.
	Clouds []Cloud
	// Layout, when set, draws its centres as black dots and each cluster's
	// r_c circle, and sets n_d.
	Layout *latent.Layout
	// Sectors, when set, shades its prohibited angular ranges (paper
	// Figure 5). Only for n_d = 2.
	Sectors *latent.Sectors
	// View is the region shown; see View.
	View View
	// Query, when set, is marked with a star (search figures); QueryName
	// is its legend entry ("query" when empty).
	Query     []float64
	QueryName string
	// Plane overrides the 2-D view of an n_d > 2 space; nil means
	// PlaneFor(n_d, Layout, points).
	Plane *Plane
	// Side is the side of the square data area in inches; 0 means 4.
	Side float64
}

// scatterData is a validated ScatterSpec, projected to the plane.
type scatterData struct {
	spec      ScatterSpec
	nd        int
	plane     Plane
	classes   []string
	xs, ys    [][]float64 // per cloud, projected finite points
	labels    [][]int     // per cloud, labels of the kept points
	nonFinite int
	outside   int
	half      float64
	unlabeled bool
	centres   [][2]float64
	radii     []float64
	query     *[2]float64
}

// prepare validates the spec, projects the points and chooses the view.
func prepare(s ScatterSpec) (*scatterData, error) {
	d := &scatterData{spec: s}
	if err := d.dimension(); err != nil {
		return nil, err
	}
	if err := d.classNames(); err != nil {
		return nil, err
	}
	if s.Sectors != nil && d.nd != 2 {
		return nil, fmt.Errorf("scatter: sectors need n_d = 2, have %d", d.nd)
	}
	if s.Query != nil {
		if len(s.Query) != d.nd {
			return nil, fmt.Errorf("scatter: query has %d coordinates, n_d = %d", len(s.Query), d.nd)
		}
		if !allFinite(s.Query) {
			return nil, fmt.Errorf("scatter: query %v is not finite", s.Query)
		}
	}
	if math.IsNaN(s.View.Half) || math.IsInf(s.View.Half, 0) || s.View.Half < 0 {
		return nil, fmt.Errorf("scatter: view half-width %v must be a finite number >= 0", s.View.Half)
	}
	if math.IsNaN(s.Side) || s.Side < 0 || s.Side > 100 {
		return nil, fmt.Errorf("scatter: side %v inches must be in [0, 100]", s.Side)
	}
	if err := d.project(); err != nil {
		return nil, err
	}
	d.chooseView()
	return d, nil
}

// dimension finds n_d (from the layout, else the first point) and checks
// every point and label slice against it.
func (d *scatterData) dimension() error {
	s := d.spec
	d.nd = -1
	if s.Layout != nil {
		d.nd = s.Layout.ND()
	}
	for ci, c := range s.Clouds {
		if c.Labels != nil && len(c.Labels) != len(c.Points) {
			return fmt.Errorf("scatter: cloud %d (%q) has %d points and %d labels", ci, c.Name, len(c.Points), len(c.Labels))
		}
		if math.IsNaN(c.Radius) || c.Radius < 0 || c.Radius > 50 {
			return fmt.Errorf("scatter: cloud %d (%q) marker radius %v must be in [0, 50] points", ci, c.Name, c.Radius)
		}
		for pi, z := range c.Points {
			if d.nd < 0 {
				d.nd = len(z)
			}
			if len(z) != d.nd {
				return fmt.Errorf("scatter: cloud %d (%q) point %d has %d coordinates, want %d", ci, c.Name, pi, len(z), d.nd)
			}
		}
	}
	if d.nd < 0 && s.Query != nil {
		d.nd = len(s.Query)
	}
	if d.nd < 0 {
		d.nd = 2 // nothing to draw: an empty 2-D figure
	}
	if d.nd < 2 {
		return fmt.Errorf("scatter: n_d = %d, need at least 2", d.nd)
	}
	return nil
}

// classNames fills d.classes and checks every label against it.
func (d *scatterData) classNames() error {
	s := d.spec
	n := len(s.Classes)
	names := s.Classes
	if names == nil {
		n = 0
		if s.Layout != nil {
			n = s.Layout.NC()
		} else {
			for _, c := range s.Clouds {
				for _, y := range c.Labels {
					n = max(n, y+1)
				}
			}
		}
		for i := 0; i < n; i++ {
			names = append(names, fmt.Sprintf("class %d", i))
		}
	}
	if s.Layout != nil && len(names) != s.Layout.NC() {
		return fmt.Errorf("scatter: %d class names for a layout of %d clusters", len(names), s.Layout.NC())
	}
	for ci, c := range s.Clouds {
		for pi, y := range c.Labels {
			if y < -1 || y >= len(names) {
				return fmt.Errorf("scatter: cloud %d (%q) point %d has label %d, want -1 (unlabeled) or 0..%d", ci, c.Name, pi, y, len(names)-1)
			}
		}
	}
	d.classes = names
	return nil
}

// project maps every finite point to the plane, counting the others.
func (d *scatterData) project() error {
	s := d.spec
	if s.Plane != nil {
		if len(s.Plane.U) != d.nd || len(s.Plane.V) != d.nd {
			return fmt.Errorf("scatter: plane has %d and %d coordinates, n_d = %d", len(s.Plane.U), len(s.Plane.V), d.nd)
		}
		d.plane = *s.Plane
	} else {
		var all [][]float64
		if s.Layout == nil && d.nd > 2 {
			for _, c := range s.Clouds {
				all = append(all, c.Points...)
			}
		}
		p, err := PlaneFor(d.nd, s.Layout, all)
		if err != nil {
			return fmt.Errorf("scatter: %w", err)
		}
		d.plane = p
	}
	for _, c := range s.Clouds {
		var xs, ys []float64
		var ls []int
		for pi, z := range c.Points {
			if !allFinite(z) {
				d.nonFinite++
				continue
			}
			x, y := d.plane.Project(z)
			xs, ys = append(xs, x), append(ys, y)
			l := -1
			if c.Labels != nil {
				l = c.Labels[pi]
			}
			d.unlabeled = d.unlabeled || l < 0
			ls = append(ls, l)
		}
		d.xs, d.ys, d.labels = append(d.xs, xs), append(d.ys, ys), append(d.labels, ls)
	}
	if s.Layout != nil {
		for i := 0; i < s.Layout.NC(); i++ {
			x, y := d.plane.Project(s.Layout.Center(i))
			d.centres = append(d.centres, [2]float64{x, y})
		}
		d.radii = s.Layout.Radii()
	}
	if s.Query != nil {
		x, y := d.plane.Project(s.Query)
		d.query = &[2]float64{x, y}
	}
	return nil
}

// chooseView sets d.half and counts the points outside the view.
func (d *scatterData) chooseView() {
	d.half = d.spec.View.Half
	if d.half == 0 {
		m := 0.0
		for ci := range d.xs {
			for i := range d.xs[ci] {
				m = math.Max(m, math.Max(math.Abs(d.xs[ci][i]), math.Abs(d.ys[ci][i])))
			}
		}
		for i, c := range d.centres {
			m = math.Max(m, math.Max(math.Abs(c[0]), math.Abs(c[1]))+d.radii[i])
		}
		if d.query != nil {
			m = math.Max(m, math.Max(math.Abs(d.query[0]), math.Abs(d.query[1])))
		}
		d.half = niceCeil(m * 1.03)
	}
	for ci := range d.xs {
		for i := range d.xs[ci] {
			if math.Abs(d.xs[ci][i]) > d.half || math.Abs(d.ys[ci][i]) > d.half {
				d.outside++
			}
		}
	}
}

// notes lists the remarks printed on the figure.
func (d *scatterData) notes() []string {
	var out []string
	total := d.total()
	if total == 0 {
		out = append(out, "no points to draw")
	}
	if d.nonFinite > 0 {
		out = append(out, fmt.Sprintf("%d non-finite %s skipped", d.nonFinite, plural(d.nonFinite, "point", "points")))
	}
	if d.outside > 0 {
		out = append(out, fmt.Sprintf("%d of %d points outside the view [-%g, %g]", d.outside, total, d.half, d.half))
	}
	if q := d.query; q != nil && (math.Abs(q[0]) > d.half || math.Abs(q[1]) > d.half) {
		out = append(out, fmt.Sprintf("query (%.3g, %.3g) outside the view", q[0], q[1]))
	}
	return out
}

// total is the number of finite points.
func (d *scatterData) total() int {
	n := 0
	for _, xs := range d.xs {
		n += len(xs)
	}
	return n
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// niceCeil rounds x > 0 up to 1, 2, 2.5 or 5 times a power of ten (1 for
// x <= 0 or a value too small to show).
func niceCeil(x float64) float64 {
	if !(x > 1e-300) || math.IsInf(x, 0) {
		if math.IsInf(x, 1) {
			return math.MaxFloat64
		}
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v := m * p; v >= x*(1-1e-12) {
			return v
		}
	}
	return 10 * p
}
