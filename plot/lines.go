package plot

import (
	"fmt"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Series is one line of a chart: Values[i] is the value at the chart's
// i-th x (an epoch). NaN marks a value that was not measured: the line
// joins the measured values on either side.
type Series struct {
	Name   string
	Values []float64
}

// Panel is one chart of a Curves figure: its series share the y axis.
type Panel struct {
	Title  string
	YLabel string
	Series []Series
	// YMin and YMax fix the y range when YMax > YMin (e.g. 0 and 100 for
	// accuracy in percent); otherwise it is the data's range, widened to
	// include 0 when the data are all of one sign and near it.
	YMin, YMax float64
}

// lineStyleOf is the style of series i of a panel: palette colour i and,
// so lines differ without colour, solid, dashed, dotted, dash-dot in turn.
func lineStyleOf(i int) draw.LineStyle {
	dashes := [][]vg.Length{nil, {vg.Points(6), vg.Points(3)}, {vg.Points(1.5), vg.Points(2)}, {vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)}}
	return draw.LineStyle{Color: ClassColor(i), Width: vg.Points(1.6), Dashes: dashes[i%len(dashes)]}
}

// lineChart is a panel ready to draw: x values, series, ranges.
type lineChart struct {
	title          string
	xlabel, ylabel string
	xs             []float64
	series         []Series
	styles         []draw.LineStyle
	xmin, xmax     float64
	ymin, ymax     float64
	// markers draws a dot on every measured value (short series).
	markers bool
	// vlines are dashed vertical guides with a label at the top.
	vlines []guide
	// empty is printed in the middle when there is nothing to draw.
	empty string
}

// guide is a labelled vertical line.
type guide struct {
	x     float64
	label string
}

// newLineChart checks the series against xs and computes the ranges.
func newLineChart(title, xlabel string, xs []float64, p Panel) (*lineChart, int, error) {
	c := &lineChart{title: title, xlabel: xlabel, ylabel: p.YLabel, xs: xs, markers: len(xs) <= 60}
	skipped := 0
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range p.Series {
		if len(s.Values) != len(xs) {
			return nil, 0, fmt.Errorf("series %q has %d values for %d x values", s.Name, len(s.Values), len(xs))
		}
		for _, v := range s.Values {
			if math.IsInf(v, 0) {
				skipped++
				continue
			}
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
		c.series = append(c.series, s)
		c.styles = append(c.styles, lineStyleOf(i))
	}
	c.xmin, c.xmax = rangeOf(xs)
	switch {
	case p.YMax > p.YMin:
		c.ymin, c.ymax = p.YMin, p.YMax
	case lo > hi:
		c.ymin, c.ymax = 0, 1
		c.empty = "no values"
	default:
		if lo > 0 && lo < hi/2 {
			lo = 0
		}
		if hi < 0 && hi > lo/2 {
			hi = 0
		}
		if hi == lo {
			lo, hi = lo-math.Max(1, math.Abs(lo))*0.5, hi+math.Max(1, math.Abs(hi))*0.5
		}
		m := (hi - lo) * 0.04
		c.ymin, c.ymax = lo-m, hi+m
		if lo == 0 {
			c.ymin = 0
		}
	}
	return c, skipped, nil
}

// rangeOf is the finite range of xs, widened when it is a single value
// (or [0, 1] without values).
func rangeOf(xs []float64) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if lo > hi {
		return 0, 1
	}
	if lo == hi {
		return lo - 0.5, hi + 0.5
	}
	return lo, hi
}

// axes returns the chart's axes.
func (c *lineChart) axes() axes {
	return axes{xmin: c.xmin, xmax: c.xmax, ymin: c.ymin, ymax: c.ymax,
		xticks: niceTicks(c.xmin, c.xmax, 8), yticks: niceTicks(c.ymin, c.ymax, 6),
		xlabel: c.xlabel, ylabel: c.ylabel}
}

// legend lists the series.
func (c *lineChart) legend() *legend {
	l := newLegend()
	for i, s := range c.series {
		if s.Name != "" {
			l.add(s.Name, lineSwatch(c.styles[i]))
		}
	}
	return l
}

// drawData paints the guides and the series in the data area dc.
func (c *lineChart) drawData(dc draw.Canvas) {
	tx := func(x float64) vg.Length {
		return dc.Min.X + vg.Length((x-c.xmin)/(c.xmax-c.xmin))*(dc.Max.X-dc.Min.X)
	}
	ty := func(y float64) vg.Length {
		return dc.Min.Y + vg.Length((y-c.ymin)/(c.ymax-c.ymin))*(dc.Max.Y-dc.Min.Y)
	}
	guideStyle := draw.LineStyle{Color: frameColor, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}
	ls := textStyle(9, frameColor)
	ls.XAlign, ls.YAlign = draw.XLeft, draw.YTop
	for _, g := range c.vlines {
		x := tx(g.x)
		dc.StrokeLines(guideStyle, dc.ClipLinesXY([]vg.Point{{X: x, Y: dc.Min.Y}, {X: x, Y: dc.Max.Y}})...)
		dc.FillText(ls, vg.Point{X: x + vg.Points(3), Y: dc.Max.Y - vg.Points(3)}, g.label)
	}
	for i, s := range c.series {
		var pts []vg.Point
		for k, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			pts = append(pts, vg.Point{X: tx(c.xs[k]), Y: ty(v)})
		}
		dc.StrokeLines(c.styles[i], dc.ClipLinesXY(pts)...)
		if c.markers {
			m := marker{Shape: shapeCircle, R: vg.Points(2), Fill: c.styles[i].Color}
			for _, p := range pts {
				if dc.Contains(p) {
					m.draw(dc, p)
				}
			}
		}
	}
	if c.empty != "" {
		s := textStyle(11, frameColor)
		s.XAlign = draw.XCenter
		dc.FillText(s, dc.Center(), c.empty)
	}
}

// stack is charts laid out one above the other with aligned data areas of
// w x h points, legends on the right, a title on top and notes at the
// bottom.
type stack struct {
	title  string
	charts []*lineChart
	w, h   vg.Length
	notes  []string
}

// stackGeom is a stack's layout, in points from the figure's bottom-left
// corner.
type stackGeom struct {
	w, h        vg.Length
	pad, titleY vg.Length
	axes        []axes
	legends     []*legend
	data        []vg.Rectangle // data area of each chart
	legendBoxes []vg.Rectangle
	titles      []vg.Point // where each panel title goes (top centre)
	notesY      vg.Length
}

// geometry lays the stack out.
func (st *stack) geometry() stackGeom {
	g := stackGeom{pad: vg.Points(6)}
	var left, right, legW vg.Length
	var bs, ts, titleHs []vg.Length
	for i, c := range st.charts {
		ax := c.axes()
		if i < len(st.charts)-1 {
			ax.xlabel = "" // the x axis is shared: named once, at the bottom
		}
		l, b, t, r := ax.pad()
		left, right = max(left, l), max(right, r)
		leg := c.legend()
		legW = max(legW, leg.width(st.h))
		var th vg.Length
		if c.title != "" {
			th = panelTitleStyle().Height(c.title) + vg.Points(4)
		}
		g.axes, g.legends = append(g.axes, ax), append(g.legends, leg)
		bs, ts, titleHs = append(bs, b), append(ts, t), append(titleHs, th)
	}
	var titleH vg.Length
	if st.title != "" {
		titleH = titleStyle().Height(st.title) + vg.Points(8)
	}
	var notesH vg.Length
	if len(st.notes) > 0 {
		notesH = vg.Length(len(st.notes))*noteStyle().Height("Ag") + vg.Points(4)
	}
	gap := vg.Points(10) // between panels
	g.h = titleH + notesH + 2*g.pad + gap*vg.Length(len(st.charts)-1)
	for i := range st.charts {
		g.h += titleHs[i] + ts[i] + st.h + bs[i]
	}
	g.w = max(left+st.w+right+legW, titleStyle().Width(st.title)) + 2*g.pad
	g.titleY = g.h - g.pad
	y := g.titleY - titleH
	x0 := g.pad + left
	for i := range st.charts {
		g.titles = append(g.titles, vg.Point{X: x0 + st.w/2, Y: y})
		y -= titleHs[i] + ts[i]
		d := vg.Rectangle{Min: vg.Point{X: x0, Y: y - st.h}, Max: vg.Point{X: x0 + st.w, Y: y}}
		g.data = append(g.data, d)
		g.legendBoxes = append(g.legendBoxes, vg.Rectangle{Min: vg.Point{X: d.Max.X + right, Y: d.Min.Y}, Max: vg.Point{X: d.Max.X + right + legW, Y: d.Max.Y}})
		y -= st.h + bs[i] + gap
	}
	g.notesY = y + gap
	return g
}

// figure returns the stack's drawing.
func (st *stack) figure() *Figure {
	g := st.geometry()
	return newFigure(g.w, g.h, st.notes, func(c draw.Canvas) {
		c.SetColor(white)
		c.Fill(c.Rectangle.Path())
		at := func(r vg.Rectangle) draw.Canvas {
			cc := c
			cc.Rectangle = vg.Rectangle{Min: c.Min.Add(r.Min), Max: c.Min.Add(r.Max)}
			return cc
		}
		if st.title != "" {
			c.FillText(titleStyle(), c.Min.Add(vg.Point{X: g.w / 2, Y: g.titleY}), st.title)
		}
		for i, ch := range st.charts {
			if ch.title != "" {
				c.FillText(panelTitleStyle(), c.Min.Add(g.titles[i]), ch.title)
			}
			dc := at(g.data[i])
			ch.drawData(dc)
			g.axes[i].draw(dc)
			g.legends[i].draw(at(g.legendBoxes[i]))
		}
		lineH := noteStyle().Height("Ag")
		for i, n := range st.notes {
			c.FillText(noteStyle(), c.Min.Add(vg.Point{X: g.data[0].Min.X, Y: g.notesY - vg.Length(i)*lineH}), n)
		}
	})
}

// panelTitleStyle is the style of a panel's title: 11 pt, centred.
func panelTitleStyle() draw.TextStyle {
	s := textStyle(11, black)
	s.XAlign, s.YAlign = draw.XCenter, draw.YTop
	return s
}
