package plot

import (
	"math"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Sizes of the package's own axes, in points.
const (
	tickLen     = 4
	axisGap     = 3
	tickFontSz  = 9
	labelFontSz = 11
)

// tick is a labelled (or, with Label "", minor) position on an axis.
type tick = gplot.Tick

// axes draws a frame around a data area with ticks outside it, tick
// labels and axis labels. Unlike gonum's plot.Draw it never moves the data
// area to make room for an overhanging label: the room is reserved
// around it (see pad), so the data area is exactly the rectangle the
// caller chose, which the equal-scale scatter needs.
type axes struct {
	xmin, xmax, ymin, ymax float64
	xticks, yticks         []tick
	xlabel, ylabel         string
	// xRotate turns the x tick labels a quarter turn (long class names).
	xRotate bool
}

func (a axes) tickStyle() text.Style { return textStyle(tickFontSz, black) }

// pad is the room the axes need outside the data area: left, bottom, top
// and right.
func (a axes) pad() (l, b, t, r vg.Length) {
	ts := a.tickStyle()
	ls := textStyle(labelFontSz, black)
	var yw vg.Length
	for _, tk := range a.yticks {
		yw = max(yw, ts.Width(tk.Label))
	}
	var xh, xw vg.Length
	for _, tk := range a.xticks {
		if tk.Label == "" {
			continue
		}
		if a.xRotate {
			xh = max(xh, ts.Width(tk.Label))
		} else {
			xh = max(xh, ts.Height(tk.Label))
			xw = max(xw, ts.Width(tk.Label))
		}
	}
	l = tickLen + axisGap + yw + axisGap
	if a.ylabel != "" {
		l += ls.Height(a.ylabel) + ls.FontExtents().Descent + axisGap
	}
	b = tickLen + axisGap + xh + axisGap
	if a.xlabel != "" {
		b += ls.Height(a.xlabel) + axisGap
	}
	t = ts.Height("0")/2 + axisGap
	r = max(xw/2, vg.Points(2)) + axisGap
	return l, b, t, r
}

// draw paints the frame, ticks and labels around the data area dc.
func (a axes) draw(dc draw.Canvas) {
	line := draw.LineStyle{Color: black, Width: vg.Points(0.6)}
	r := dc.Rectangle
	dc.StrokeLines(line, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min})
	tx := func(x float64) vg.Length { return r.Min.X + vg.Length((x-a.xmin)/(a.xmax-a.xmin))*(r.Max.X-r.Min.X) }
	ty := func(y float64) vg.Length { return r.Min.Y + vg.Length((y-a.ymin)/(a.ymax-a.ymin))*(r.Max.Y-r.Min.Y) }
	ts := a.tickStyle()
	var xh vg.Length
	for _, tk := range a.xticks {
		if tk.Value < a.xmin-1e-9*math.Abs(a.xmax-a.xmin) || tk.Value > a.xmax+1e-9*math.Abs(a.xmax-a.xmin) {
			continue
		}
		x := tx(tk.Value)
		n := vg.Length(tickLen)
		if tk.Label == "" {
			n /= 2
		}
		dc.StrokeLine2(line, x, r.Min.Y, x, r.Min.Y-n)
		if tk.Label == "" {
			continue
		}
		s := ts
		if a.xRotate {
			s.Rotation = math.Pi / 2
			s.XAlign, s.YAlign = draw.XRight, draw.YCenter
			xh = max(xh, s.Width(tk.Label))
		} else {
			s.XAlign, s.YAlign = draw.XCenter, draw.YTop
			xh = max(xh, s.Height(tk.Label))
		}
		dc.FillText(s, vg.Point{X: x, Y: r.Min.Y - tickLen - axisGap}, tk.Label)
	}
	var yw vg.Length
	for _, tk := range a.yticks {
		if tk.Value < a.ymin-1e-9*math.Abs(a.ymax-a.ymin) || tk.Value > a.ymax+1e-9*math.Abs(a.ymax-a.ymin) {
			continue
		}
		y := ty(tk.Value)
		n := vg.Length(tickLen)
		if tk.Label == "" {
			n /= 2
		}
		dc.StrokeLine2(line, r.Min.X, y, r.Min.X-n, y)
		if tk.Label == "" {
			continue
		}
		s := ts
		s.XAlign, s.YAlign = draw.XRight, draw.YCenter
		yw = max(yw, s.Width(tk.Label))
		dc.FillText(s, vg.Point{X: r.Min.X - tickLen - axisGap, Y: y}, tk.Label)
	}
	ls := textStyle(labelFontSz, black)
	if a.xlabel != "" {
		s := ls
		s.XAlign, s.YAlign = draw.XCenter, draw.YTop
		dc.FillText(s, vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: r.Min.Y - tickLen - 2*axisGap - xh}, a.xlabel)
	}
	if a.ylabel != "" {
		s := ls
		s.Rotation = math.Pi / 2
		s.XAlign, s.YAlign = draw.XCenter, draw.YBottom
		x := r.Min.X - tickLen - 2*axisGap - yw - ls.FontExtents().Descent
		dc.FillText(s, vg.Point{X: x, Y: (r.Min.Y + r.Max.Y) / 2}, a.ylabel)
	}
}
