package plot

import (
	"image/color"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// shape is a marker shape.
type shape int

const (
	shapeCircle shape = iota
	shapeSquare
	shapeTriangle
	shapeDiamond
	shapeStar
)

// marker is how one point is drawn: a filled shape of radius R (points),
// with an optional outline.
type marker struct {
	Shape shape
	R     vg.Length
	Fill  color.Color
	Edge  color.Color // nil: no outline
	EdgeW vg.Length
}

// path returns the outline of the marker centred on pt.
func (m marker) path(pt vg.Point) vg.Path {
	var p vg.Path
	r := m.R
	poly := func(k int, start float64, radius func(i int) vg.Length) {
		for i := 0; i < k; i++ {
			a := start + 2*math.Pi*float64(i)/float64(k)
			q := vg.Point{X: pt.X + radius(i)*vg.Length(math.Cos(a)), Y: pt.Y + radius(i)*vg.Length(math.Sin(a))}
			if i == 0 {
				p.Move(q)
			} else {
				p.Line(q)
			}
		}
		p.Close()
	}
	switch m.Shape {
	case shapeSquare:
		poly(4, math.Pi/4, func(int) vg.Length { return r * 1.15 })
	case shapeTriangle:
		poly(3, math.Pi/2, func(int) vg.Length { return r * 1.3 })
	case shapeDiamond:
		poly(4, math.Pi/2, func(int) vg.Length { return r * 1.25 })
	case shapeStar:
		poly(10, math.Pi/2, func(i int) vg.Length {
			if i%2 == 1 {
				return r * 0.45
			}
			return r
		})
	default:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
		p.Close()
	}
	return p
}

// draw paints the marker at pt on c (no clipping: callers skip points
// outside the data area).
func (m marker) draw(c draw.Canvas, pt vg.Point) {
	p := m.path(pt)
	c.SetColor(m.Fill)
	c.Fill(p)
	if m.Edge != nil && m.EdgeW > 0 {
		c.SetLineStyle(draw.LineStyle{Color: m.Edge, Width: m.EdgeW})
		c.Stroke(p)
	}
}
