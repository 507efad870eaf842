package plot

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// TestPlaneKeepsCentresApart checks that the projection of n_d > 2
// layouts keeps the centres apart (smallest projected distance at least a
// share of R_d, never worse than plain PCA) and that U, V are orthonormal.
func TestPlaneKeepsCentresApart(t *testing.T) {
	for _, tc := range []struct {
		nc, nd int
		share  float64 // of R_d the smallest projected distance must reach
	}{
		{4, 3, 0.6}, {5, 4, 0.5}, {6, 5, 0.4}, {3, 8, 0.99},
		{5, 3, 0.4}, {6, 3, 0.4}, {8, 3, 0.4}, {10, 3, 0.4}, {10, 5, 0.3}, {12, 4, 0.3},
		{20, 3, 0.3}, {20, 8, 0.15},
	} {
		t.Run(fmt.Sprintf("nc%d-nd%d", tc.nc, tc.nd), func(t *testing.T) {
			l, err := latent.Spread(tc.nc, tc.nd, 0.85, 0.1)
			if err != nil {
				t.Fatal(err)
			}
			p, err := PlaneFor(tc.nd, l, nil)
			if err != nil {
				t.Fatal(err)
			}
			if e := math.Max(math.Abs(dot(p.U, p.U)-1), math.Max(math.Abs(dot(p.V, p.V)-1), math.Abs(dot(p.U, p.V)))); e > 1e-9 {
				t.Errorf("U, V not orthonormal: error %g", e)
			}
			cs := l.Centers()
			got := minProjectedDistance(p, cs)
			if got < tc.share*l.Rd() {
				t.Errorf("smallest projected centre distance %.4f < %.2f R_d = %.4f (plane %q)", got, tc.share, tc.share*l.Rd(), p.XLabel)
			}
			u, v := principalAxes(tc.nd, cs)
			if pca := minProjectedDistance(Plane{U: u, V: v}, cs); got < pca-1e-12 {
				t.Errorf("plane %q: %.4f, worse than PCA's %.4f", p.XLabel, got, pca)
			}
			if !strings.Contains(p.XLabel, fmt.Sprintf("n_d = %d", tc.nd)) {
				t.Errorf("axis label %q does not name n_d", p.XLabel)
			}
		})
	}
}

// TestPlaneSimplexIsPolygon: a regular simplex lands on a regular polygon,
// centre i at angle 2*pi*i/n_c from centre 0, like the 2-D circle layout.
func TestPlaneSimplexIsPolygon(t *testing.T) {
	l, err := latent.Spread(5, 4, 0.85, 0.34)
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlaneFor(4, l, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.XLabel, "polygon-plane") {
		t.Errorf("plane %q, want the polygon plane", p.XLabel)
	}
	var r0, a0 float64
	for i := 0; i < 5; i++ {
		x, y := p.Project(l.Center(i))
		r, a := math.Hypot(x, y), math.Atan2(y, x)
		if i == 0 {
			r0, a0 = r, a
			continue
		}
		if math.Abs(r-r0) > 1e-9 {
			t.Errorf("centre %d at radius %.12f, centre 0 at %.12f", i, r, r0)
		}
		// Counter-clockwise or clockwise, the step is 72 degrees.
		step := latent.FloorMod(a-a0, 2*math.Pi)
		want := 2 * math.Pi * float64(i) / 5
		if math.Abs(step-want) > 1e-9 && math.Abs(step-(2*math.Pi-want)) > 1e-9 {
			t.Errorf("centre %d at %.6f rad from centre 0, want +-%.6f", i, step, want)
		}
	}
}

func TestPlaneTwoD(t *testing.T) {
	p, err := PlaneFor(2, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if x, y := p.Project([]float64{3, -4}); x != 3 || y != -4 || p.XLabel != "z0" {
		t.Errorf("2-D plane maps (3, -4) to (%g, %g), labels %q", x, y, p.XLabel)
	}
	if _, err := PlaneFor(1, nil, nil); err == nil {
		t.Error("n_d = 1 accepted")
	}
	// Without a layout: the principal plane of the points.
	pts := [][]float64{{0, 0, 0}, {10, 0, 0.1}, {0, 5, -0.1}, {10, 5, 0}, {math.NaN(), 1, 1}}
	p, err = PlaneFor(3, nil, pts)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(p.U[0]) < 0.99 || math.Abs(p.V[1]) < 0.99 || !strings.Contains(p.XLabel, "points") {
		t.Errorf("points plane U %v V %v %q: want the x then y axes", p.U, p.V, p.XLabel)
	}
}

func TestSymEigen(t *testing.T) {
	a := [][]float64{{4, 1, 0.5}, {1, 3, 0.2}, {0.5, 0.2, 1}}
	vals, vecs := SymEigen(a)
	for k := range vals {
		v := column(vecs, k)
		for i := range a {
			if av := dot(a[i], v); math.Abs(av-vals[k]*v[i]) > 1e-12 {
				t.Errorf("eigenpair %d: (A v)_%d = %g, lambda v_%d = %g", k, i, av, i, vals[k]*v[i])
			}
		}
	}
}
