package plot

import (
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// legendEntry is one line of a legend: a swatch drawn in a small square
// and a label.
type legendEntry struct {
	label  string
	swatch func(c draw.Canvas, centre vg.Point, half vg.Length)
}

// legend lays entries out in columns beside a figure.
type legend struct {
	entries []legendEntry
	rowH    vg.Length // height of one entry
	swatch  vg.Length // side of the swatch square
	gap     vg.Length // between swatch and text, and around the legend
	fontSz  vg.Length
}

// newLegend returns an empty legend with the package's sizes.
func newLegend() *legend {
	return &legend{rowH: vg.Points(15), swatch: vg.Points(12), gap: vg.Points(6), fontSz: 10}
}

// add appends an entry.
func (l *legend) add(label string, swatch func(c draw.Canvas, centre vg.Point, half vg.Length)) {
	l.entries = append(l.entries, legendEntry{label: label, swatch: swatch})
}

// columns is how many columns the legend needs to fit in height h.
func (l *legend) columns(h vg.Length) int {
	if len(l.entries) == 0 {
		return 0
	}
	perCol := max(1, int(math.Floor(float64((h-2*l.gap)/l.rowH))))
	return (len(l.entries) + perCol - 1) / perCol
}

// width is the room the legend takes when it must fit in height h.
func (l *legend) width(h vg.Length) vg.Length {
	n := l.columns(h)
	if n == 0 {
		return 0
	}
	sty := textStyle(l.fontSz, black)
	var wmax vg.Length
	for _, e := range l.entries {
		wmax = max(wmax, sty.Width(e.label))
	}
	col := l.swatch + l.gap + wmax + l.gap
	return l.gap + vg.Length(n)*col
}

// draw paints the legend in c, top-aligned, filling columns top to bottom.
func (l *legend) draw(c draw.Canvas) {
	h := c.Max.Y - c.Min.Y
	n := l.columns(h)
	if n == 0 {
		return
	}
	perCol := (len(l.entries) + n - 1) / n
	sty := textStyle(l.fontSz, black)
	var wmax vg.Length
	for _, e := range l.entries {
		wmax = max(wmax, sty.Width(e.label))
	}
	col := l.swatch + l.gap + wmax + l.gap
	for i, e := range l.entries {
		x := c.Min.X + l.gap + vg.Length(i/perCol)*col
		y := c.Max.Y - l.gap - l.rowH*vg.Length(i%perCol) - l.rowH/2
		centre := vg.Point{X: x + l.swatch/2, Y: y}
		if e.swatch != nil {
			e.swatch(c, centre, l.swatch/2)
		}
		c.FillText(sty, vg.Point{X: x + l.swatch + l.gap, Y: y}, e.label)
	}
}

// markerSwatch draws m (its radius capped to the swatch) as a swatch.
func markerSwatch(m marker) func(c draw.Canvas, centre vg.Point, half vg.Length) {
	return func(c draw.Canvas, centre vg.Point, half vg.Length) {
		mm := m
		mm.R = min(mm.R, half*0.8)
		mm.draw(c, centre)
	}
}

// lineSwatch draws a short horizontal line in style s.
func lineSwatch(s draw.LineStyle) func(c draw.Canvas, centre vg.Point, half vg.Length) {
	return func(c draw.Canvas, centre vg.Point, half vg.Length) {
		c.StrokeLine2(s, centre.X-half*1.2, centre.Y, centre.X+half*1.2, centre.Y)
	}
}
