package plot

import (
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// drawCentreNames writes each class's name beside its centre, just outside
// its r_c circle on the side away from the origin (centres at the origin:
// above), so every cluster is named where it is drawn. Names whose anchor
// falls outside the view are left out.
func (d *scatterData) drawCentreNames(c draw.Canvas) {
	if len(d.classes) < len(d.centres) {
		return
	}
	tx, ty := transforms(c, d.half)
	for i, ctr := range d.centres {
		ux, uy := 0.0, 1.0
		if n := math.Hypot(ctr[0], ctr[1]); n > 1e-9 {
			ux, uy = ctr[0]/n, ctr[1]/n
		}
		r := d.radii[i] + 0.02*d.half
		pt := vg.Point{X: tx(ctr[0] + ux*r), Y: ty(ctr[1] + uy*r)}
		if !c.Contains(pt) {
			continue
		}
		s := textStyle(7.5, black)
		switch {
		case ux > 0.3:
			s.XAlign = draw.XLeft
		case ux < -0.3:
			s.XAlign = draw.XRight
		default:
			s.XAlign = draw.XCenter
		}
		switch {
		case uy > 0.3:
			s.YAlign = draw.YBottom
		case uy < -0.3:
			s.YAlign = draw.YTop
		default:
			s.YAlign = draw.YCenter
		}
		c.FillText(s, pt, d.classes[i])
	}
}
