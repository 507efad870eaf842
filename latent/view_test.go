package latent

import (
	"math"
	"strings"
	"testing"
)

// TestViewPlaneSeparatesCentres: on a 10-class simplex (n_d = 9) the
// first two coordinates put most centres on one spot; the view plane
// spreads all ten apart, names itself, and Lift inverts Project.
func TestViewPlaneSeparatesCentres(t *testing.T) {
	for _, c := range []struct {
		name   string
		nc, nd int
		// minShare is the least smallest projected distance, as a share
		// of R_d.
		minShare float64
	}{
		{"circle", 5, 2, 0.999},
		{"simplex 10 in 9-D", 10, 9, 0.15},
		{"simplex 4 in 3-D", 4, 3, 0.3},
		{"spherical code 12 in 3-D", 12, 3, 0.1},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := Spread(c.nc, c.nd, PaperDC, 0.05)
			if err != nil {
				t.Fatal(err)
			}
			p := l.ViewPlane()
			d := minProjectedDistance(p, l.Centers())
			if d < c.minShare*l.Rd() {
				t.Errorf("smallest projected centre distance %.4f, want at least %.2f R_d = %.4f (%s)", d, c.minShare, c.minShare*l.Rd(), p.Name)
			}
			if c.nd > 2 {
				first := Plane{U: make([]float64, c.nd), V: make([]float64, c.nd)}
				first.U[0], first.V[1] = 1, 1
				f := minProjectedDistance(first, l.Centers())
				if f > d || (c.nc == c.nd+1 && f >= d) {
					t.Errorf("the first two axes spread the centres at least as well (%.4f >= %.4f)", f, d)
				}
			}
			if !strings.Contains(p.Name, "n_d") {
				t.Errorf("plane name %q does not say what it is", p.Name)
			}
			if math.Abs(dot(p.U, p.U)-1) > 1e-9 || math.Abs(dot(p.V, p.V)-1) > 1e-9 || math.Abs(dot(p.U, p.V)) > 1e-9 {
				t.Errorf("axes not orthonormal: %v %v", p.U, p.V)
			}
			x, y := p.Project(p.Lift(0.3, -0.7))
			if math.Abs(x-0.3) > 1e-12 || math.Abs(y+0.7) > 1e-12 {
				t.Errorf("Project(Lift(0.3, -0.7)) = %v, %v", x, y)
			}
		})
	}
}
