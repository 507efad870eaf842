package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sizes of the scatter's decorations, in points.
const (
	centreRadius = 2.6
	circleWidth  = 0.9
	queryRadius  = 9
)

// Scatter draws an LS scatter (paper Figures 5, 7, 8, 9): the clouds
// coloured by class, the layout's centres and r_c circles, the prohibited
// sectors shaded, and the query star, in a square view with equal scales
// on both axes, the legend on the right and notes (skipped or clipped
// points) underneath.
//
// Errors: label and point slices of different lengths, points of the
// wrong dimension, labels outside -1..n_classes-1, class names that do not
// match the layout, sectors with n_d != 2, a non-finite query, a bad view.
// Points with a NaN or infinite coordinate are skipped and counted in the
// figure's notes; points outside a fixed view are counted too. No points
// at all give a valid figure with the note "no points to draw".
func Scatter(s ScatterSpec) (fig *Figure, err error) {
	defer func() {
		if r := recover(); r != nil {
			fig, err = nil, fmt.Errorf("scatter: %v", r)
		}
	}()
	d, err := prepare(s)
	if err != nil {
		return nil, err
	}
	return d.figure(), nil
}

// scatterGeom is the scatter's layout, in points from the figure's
// bottom-left corner.
type scatterGeom struct {
	w, h   vg.Length
	data   vg.Rectangle // the square data area
	legend vg.Rectangle
	pad    vg.Length
	notesY vg.Length // top of the first note line
}

// geometry lays the figure out: title, square data area with its axes,
// legend on the right, notes underneath.
func (d *scatterData) geometry(ax axes, leg *legend, notes []string) scatterGeom {
	side := vg.Length(d.spec.Side) * vg.Inch
	if side == 0 {
		side = 4 * vg.Inch
	}
	l, b, t, r := ax.pad()
	legW := leg.width(side)
	var titleH vg.Length
	if d.spec.Title != "" {
		titleH = titleStyle().Height(d.spec.Title) + vg.Points(6)
	}
	var notesH vg.Length
	if len(notes) > 0 {
		notesH = vg.Length(len(notes))*noteStyle().Height("Ag") + vg.Points(4)
	}
	pad := vg.Points(6)
	g := scatterGeom{pad: pad}
	g.w = max(l+side+r+legW, titleStyle().Width(d.spec.Title)) + 2*pad
	g.h = titleH + t + side + b + notesH + 2*pad
	x0 := pad + l
	y1 := g.h - pad - titleH - t
	g.data = vg.Rectangle{Min: vg.Point{X: x0, Y: y1 - side}, Max: vg.Point{X: x0 + side, Y: y1}}
	g.legend = vg.Rectangle{Min: vg.Point{X: g.data.Max.X + r, Y: g.data.Min.Y}, Max: vg.Point{X: g.data.Max.X + r + legW, Y: g.data.Max.Y}}
	g.notesY = g.data.Min.Y - b
	return g
}

// titleStyle is the style of figure titles: 12 pt, centred, top-aligned.
func titleStyle() text.Style {
	s := textStyle(12, black)
	s.XAlign, s.YAlign = draw.XCenter, draw.YTop
	return s
}

// noteStyle is the style of the notes under a figure.
func noteStyle() text.Style {
	s := textStyle(9, noteColor)
	s.YAlign = draw.YTop
	return s
}

// figure lays out and returns the drawing.
func (d *scatterData) figure() *Figure {
	ax := d.axes()
	leg := d.legend()
	notes := d.notes()
	g := d.geometry(ax, leg, notes)
	return newFigure(g.w, g.h, notes, func(c draw.Canvas) {
		c.SetColor(white)
		c.Fill(c.Rectangle.Path())
		at := func(r vg.Rectangle) draw.Canvas {
			cc := c
			cc.Rectangle = vg.Rectangle{Min: c.Min.Add(r.Min), Max: c.Min.Add(r.Max)}
			return cc
		}
		if d.spec.Title != "" {
			c.FillText(titleStyle(), vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Min.Y + g.h - g.pad}, d.spec.Title)
		}
		dc := at(g.data)
		d.drawData(dc)
		ax.draw(dc)
		leg.draw(at(g.legend))
		lineH := noteStyle().Height("Ag")
		for i, n := range notes {
			c.FillText(noteStyle(), vg.Point{X: dc.Min.X, Y: c.Min.Y + g.notesY - vg.Length(i)*lineH}, n)
		}
	})
}

// axes are the scatter's axes: the same range and ticks on both.
func (d *scatterData) axes() axes {
	tk := niceTicks(-d.half, d.half, 6)
	return axes{xmin: -d.half, xmax: d.half, ymin: -d.half, ymax: d.half,
		xticks: tk, yticks: tk, xlabel: d.plane.XLabel, ylabel: d.plane.YLabel}
}

// drawData paints wedges, points, circles, centres and the query in the
// data area dc.
func (d *scatterData) drawData(dc draw.Canvas) {
	if d.spec.Sectors != nil {
		d.drawWedges(dc)
	}
	d.drawPoints(dc)
	d.drawLayout(dc)
	if d.total() == 0 {
		s := textStyle(11, frameColor)
		s.XAlign = draw.XCenter
		dc.FillText(s, dc.Center(), "no points")
	}
}

// transforms returns the data-to-canvas maps of the data canvas c.
func transforms(c draw.Canvas, half float64) (func(float64) vg.Length, func(float64) vg.Length) {
	sx := (c.Max.X - c.Min.X) / vg.Length(2*half)
	sy := (c.Max.Y - c.Min.Y) / vg.Length(2*half)
	return func(x float64) vg.Length { return c.Min.X + vg.Length(x+half)*sx },
		func(y float64) vg.Length { return c.Min.Y + vg.Length(y+half)*sy }
}

// drawWedges shades the prohibited angular ranges out to beyond the
// view's corners, clipped to the data area.
func (d *scatterData) drawWedges(c draw.Canvas) {
	tx, ty := transforms(c, d.half)
	reach := d.half * 1.6 // beyond the corners (sqrt 2)
	for _, r := range d.spec.Sectors.Prohibited() {
		n := max(2, int(math.Ceil(r.Width/(math.Pi/360))))
		pts := []vg.Point{{X: tx(0), Y: ty(0)}}
		for i := 0; i <= n; i++ {
			a := r.From + r.Width*float64(i)/float64(n)
			pts = append(pts, vg.Point{X: tx(reach * math.Cos(a)), Y: ty(reach * math.Sin(a))})
		}
		c.FillPolygon(prohibitedCol, c.ClipPolygonXY(pts))
	}
}

// cloudMarker is the marker of class label in cloud ci.
func (d *scatterData) cloudMarker(ci, label int) marker {
	cl := d.spec.Clouds[ci]
	r := cl.Radius
	if r == 0 {
		r = SmallPoint
	}
	m := marker{Shape: classShape(label), R: vg.Length(r), Fill: ClassColor(label)}
	if cl.Outline {
		m.Edge, m.EdgeW = frameColor, vg.Points(0.5)
	}
	return m
}

// drawPoints draws the clouds, skipping points outside the view.
func (d *scatterData) drawPoints(c draw.Canvas) {
	tx, ty := transforms(c, d.half)
	for ci := range d.xs {
		for i, x := range d.xs[ci] {
			y := d.ys[ci][i]
			if math.Abs(x) > d.half || math.Abs(y) > d.half {
				continue
			}
			d.cloudMarker(ci, d.labels[ci][i]).draw(c, vg.Point{X: tx(x), Y: ty(y)})
		}
	}
}

// drawLayout draws the r_c circles (clipped to the view), the centres
// and the query star.
func (d *scatterData) drawLayout(c draw.Canvas) {
	tx, ty := transforms(c, d.half)
	line := draw.LineStyle{Color: black, Width: vg.Points(circleWidth)}
	for i, ctr := range d.centres {
		const n = 180
		pts := make([]vg.Point, 0, n+1)
		for k := 0; k <= n; k++ {
			a := 2 * math.Pi * float64(k) / n
			pts = append(pts, vg.Point{X: tx(ctr[0] + d.radii[i]*math.Cos(a)), Y: ty(ctr[1] + d.radii[i]*math.Sin(a))})
		}
		c.StrokeLines(line, c.ClipLinesXY(pts)...)
	}
	for _, ctr := range d.centres {
		pt := vg.Point{X: tx(ctr[0]), Y: ty(ctr[1])}
		if c.Contains(pt) {
			marker{Shape: shapeCircle, R: centreRadius, Fill: black}.draw(c, pt)
		}
	}
	d.drawCentreNames(c)
	if d.query != nil {
		pt := vg.Point{X: tx(d.query[0]), Y: ty(d.query[1])}
		if c.Contains(pt) {
			queryMarker().draw(c, pt)
		}
	}
}

// queryMarker is the star that marks a query point.
func queryMarker() marker {
	return marker{Shape: shapeStar, R: queryRadius, Fill: white, Edge: black, EdgeW: vg.Points(1.4)}
}

// legend lists the classes, the clouds' marker sizes, the centres and
// circles, the prohibited sectors and the query.
func (d *scatterData) legend() *legend {
	l := newLegend()
	for i, name := range d.classes {
		l.add(name, markerSwatch(marker{Shape: classShape(i), R: 4, Fill: ClassColor(i)}))
	}
	if d.unlabeled {
		l.add("unlabeled", markerSwatch(marker{Shape: shapeCircle, R: 4, Fill: ClassColor(-1)}))
	}
	for ci, cl := range d.spec.Clouds {
		if cl.Name == "" {
			continue
		}
		m := d.cloudMarker(ci, -1)
		m.Fill = frameColor
		l.add(cl.Name, markerSwatch(m))
	}
	if d.spec.Layout != nil {
		label := "centres, r_c circles"
		if rs := d.radii; len(rs) > 0 && allEqual(rs) {
			label = fmt.Sprintf("centres, r_c = %.4g", rs[0])
		}
		l.add(label, func(c draw.Canvas, p vg.Point, half vg.Length) {
			c.StrokeLines(draw.LineStyle{Color: black, Width: vg.Points(circleWidth)}, circlePath(p, half*0.9))
			marker{Shape: shapeCircle, R: centreRadius, Fill: black}.draw(c, p)
		})
	}
	if d.spec.Sectors != nil {
		l.add("prohibited ("+d.spec.Sectors.Kind()+")", func(c draw.Canvas, p vg.Point, half vg.Length) {
			r := vg.Rectangle{Min: vg.Point{X: p.X - half, Y: p.Y - half}, Max: vg.Point{X: p.X + half, Y: p.Y + half}}
			c.SetColor(prohibitedCol)
			c.Fill(r.Path())
		})
	}
	if d.query != nil {
		name := d.spec.QueryName
		if name == "" {
			name = "query"
		}
		l.add(name, markerSwatch(queryMarker()))
	}
	return l
}

// circlePath is a closed polyline around p of radius r.
func circlePath(p vg.Point, r vg.Length) []vg.Point {
	const n = 48
	out := make([]vg.Point, 0, n+1)
	for k := 0; k <= n; k++ {
		a := 2 * math.Pi * float64(k) / n
		out = append(out, vg.Point{X: p.X + r*vg.Length(math.Cos(a)), Y: p.Y + r*vg.Length(math.Sin(a))})
	}
	return out
}

// allEqual reports whether every element of xs equals the first.
func allEqual(xs []float64) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}
