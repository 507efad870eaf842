package plot

import (
	"image/color"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// sans is the font of every figure: Liberation Sans, bundled by gonum/plot.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// textStyle returns a plain-text style of the given size (points) and
// colour, aligned by its left edge and vertical centre.
func textStyle(size vg.Length, c color.Color) text.Style {
	return text.Style{
		Color:   c,
		Font:    font.From(sans, size),
		XAlign:  draw.XLeft,
		YAlign:  draw.YCenter,
		Handler: gplot.DefaultTextHandler,
	}
}

// newPlot returns a gonum plot with the package's fonts and no axis
// padding (the data area starts at the axis lines).
func newPlot() *gplot.Plot {
	p := gplot.New()
	for _, a := range []*gplot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = font.From(sans, 11)
		a.Tick.Label.Font = font.From(sans, 9)
		a.Padding = 0
	}
	p.Title.TextStyle.Font = font.From(sans, 12)
	return p
}

// nominalCanvas is a canvas with only a rectangle, for measuring how a
// plot lays itself out (gonum's DataCanvas draws nothing).
func nominalCanvas(w, h vg.Length) draw.Canvas {
	return draw.Canvas{Rectangle: vg.Rectangle{Max: vg.Point{X: w, Y: h}}}
}

// axisPadding returns how much room p's axes take around its data area:
// left, right, bottom and top. It assumes the room does not depend on the
// canvas size, which holds for gonum plots without glyph boxes.
func axisPadding(p *gplot.Plot) (l, r, b, t vg.Length) {
	c := nominalCanvas(10*vg.Inch, 10*vg.Inch)
	d := p.DataCanvas(c)
	return d.Min.X - c.Min.X, c.Max.X - d.Max.X, d.Min.Y - c.Min.Y, c.Max.Y - d.Max.Y
}

// frame draws the outline of the data area (gonum draws only the left
// and bottom axis lines).
type frame struct{}

// Plot implements gonum's plot.Plotter.
func (frame) Plot(c draw.Canvas, _ *gplot.Plot) {
	r := c.Rectangle
	c.StrokeLines(draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}, []vg.Point{
		r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}, r.Min,
	})
}
