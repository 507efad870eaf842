package latent

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestLGGradFiniteDifference(t *testing.T) {
	l := paperLayout(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, red := range []Reduction{Sum, Mean} {
		z := make([][]float64, 16)
		y := make([]int, len(z))
		for j := range z {
			y[j] = rng.IntN(l.NC())
			z[j] = []float64{rng.NormFloat64(), rng.NormFloat64()}
		}
		g, err := l.LGGrad(z, y, red)
		if err != nil {
			t.Fatal(err)
		}
		nonzero := 0
		const h = 1e-6
		for j := range z {
			for k := range z[j] {
				orig := z[j][k]
				z[j][k] = orig + h
				lp, _ := l.LG(z, y, red)
				z[j][k] = orig - h
				lm, _ := l.LG(z, y, red)
				z[j][k] = orig
				fd := (lp - lm) / (2 * h)
				if math.Abs(fd-g[j][k]) > 1e-6*math.Max(1, math.Abs(fd)) {
					t.Errorf("%v: dL_G/dz[%d][%d] = %.10g, finite difference %.10g", red, j, k, g[j][k], fd)
				}
				if g[j][k] != 0 {
					nonzero++
				}
			}
		}
		if nonzero == 0 {
			t.Fatalf("%v: every gradient entry is zero: the check proved nothing", red)
		}
	}
}

func TestLGInsideIsZero(t *testing.T) {
	l := paperLayout(t)
	z := [][]float64{l.Center(0), {l.Center(1)[0] + 0.3, l.Center(1)[1]}}
	got, err := l.LG(z, []int{0, 1}, Sum)
	if err != nil || got != 0 {
		t.Fatalf("L_G of points inside their clusters = %v, %v; want 0", got, err)
	}
	g, _ := l.LGGrad(z, []int{0, 1}, Sum)
	for _, row := range g {
		for _, x := range row {
			if x != 0 {
				t.Fatalf("gradient inside the cluster = %v, want 0", g)
			}
		}
	}
}

func TestLayoutErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	cases := []struct {
		name string
		make func() (*Layout, error)
		want string
	}{
		{"one class", func() (*Layout, error) { return Circle(1, 0.85, 0.34) }, "at least 2 classes"},
		{"zero classes spread", func() (*Layout, error) { return Spread(0, 3, 0.85, 0.1) }, "at least 2 classes"},
		{"zero dims", func() (*Layout, error) { return Spread(3, 0, 0.85, 0.1) }, "at least 1 dimension"},
		{"negative radius", func() (*Layout, error) { return Circle(5, 0.85, -0.1) }, "must be > 0"},
		{"zero radius", func() (*Layout, error) { return Circle(5, 0.85, 0) }, "must be > 0"},
		{"NaN radius", func() (*Layout, error) { return Circle(5, 0.85, nan) }, "not a finite number"},
		{"overlap", func() (*Layout, error) { return Circle(5, 0.85, 0.5) }, "overlap"},
		{"overlap at R_d/2", func() (*Layout, error) { return Circle(4, 1, math.Sqrt2/2) }, "overlap"},
		{"Inf d_c", func() (*Layout, error) { return Circle(5, inf, 0.34) }, "not a finite number"},
		{"NaN centre", func() (*Layout, error) { return New([][]float64{{0, 0}, {nan, 1}}, []float64{0.1, 0.1}, 0.79) }, "not a finite number"},
		{"ragged centres", func() (*Layout, error) { return New([][]float64{{0, 0}, {1}}, []float64{0.1, 0.1}, 0.79) }, "coordinates"},
		{"bad b_c", func() (*Layout, error) { return New([][]float64{{0, 0}, {1, 0}}, []float64{0.1, 0.1}, 1.5) }, "b_c"},
		{"too many for 1-D", func() (*Layout, error) { return Spread(3, 1, 1, 0.1) }, "1 dimension"},
	}
	for _, c := range cases {
		l, err := c.make()
		if err == nil {
			t.Errorf("%s: got layout %v, want error", c.name, l)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", c.name, err, c.want)
		}
	}
	if _, err := Circle(5, 0.85, 0.5); !errors.Is(err, ErrOverlap) {
		t.Errorf("overlap error %v is not ErrOverlap", err)
	}
}

func TestPointErrors(t *testing.T) {
	l := paperLayout(t)
	bad := [][]float64{{math.NaN(), 0}, {0, math.Inf(-1)}, {1, 2, 3}, {1}}
	for _, z := range bad {
		if _, err := l.V(z); err == nil {
			t.Errorf("V(%v): want error", z)
		}
		if _, _, err := l.Classify(z); err == nil {
			t.Errorf("Classify(%v): want error", z)
		}
		if _, err := l.LG([][]float64{z}, []int{0}, Sum); err == nil {
			t.Errorf("LG(%v): want error", z)
		}
	}
	if _, err := l.LG([][]float64{{0, 0}}, []int{7}, Sum); err == nil {
		t.Error("LG with label 7 of 5 classes: want error")
	}
	if _, err := l.LG([][]float64{{0, 0}}, []int{0, 1}, Sum); err == nil {
		t.Error("LG with mismatched lengths: want error")
	}
	if _, _, err := PaperEq6().Apply(math.NaN(), 1); err == nil {
		t.Error("sector transform of NaN: want error")
	}
}

func TestClassify(t *testing.T) {
	l := paperLayout(t)
	for i := 0; i < l.NC(); i++ {
		c := l.Center(i)
		lab, out, err := l.Classify([]float64{c[0] * 1.1, c[1] * 1.1})
		if err != nil || lab != i || out {
			t.Errorf("near centre %d: label %d outside %v err %v", i, lab, out, err)
		}
	}
	lab, out, _ := l.Classify([]float64{30, 0.1})
	if !out || lab != 0 {
		t.Errorf("far point on +x: label %d outside %v, want 0 and outside", lab, out)
	}
}

func TestSpreadLayouts(t *testing.T) {
	// Simplex: all pairwise distances equal d_c*sqrt(2 n/(n-1)).
	for _, tc := range []struct{ nc, nd int }{{2, 1}, {3, 3}, {4, 3}, {5, 4}, {8, 16}} {
		l, err := Spread(tc.nc, tc.nd, 1, 0.1)
		if err != nil {
			t.Fatalf("simplex %d in %d: %v", tc.nc, tc.nd, err)
		}
		want := math.Sqrt(2 * float64(tc.nc) / float64(tc.nc-1))
		for i := 0; i < tc.nc; i++ {
			if n := norm(l.Center(i)); math.Abs(n-1) > 1e-12 {
				t.Errorf("simplex %d in %d: |C_%d| = %v", tc.nc, tc.nd, i, n)
			}
			for j := i + 1; j < tc.nc; j++ {
				if d := dist(l.Center(i), l.Center(j)); math.Abs(d-want) > 1e-12 {
					t.Errorf("simplex %d in %d: d(%d,%d) = %v, want %v", tc.nc, tc.nd, i, j, d, want)
				}
			}
		}
		if math.Abs(l.Rd()-want) > 1e-12 || l.Kind() != "simplex" {
			t.Errorf("simplex %d in %d: R_d %v kind %s", tc.nc, tc.nd, l.Rd(), l.Kind())
		}
	}
	// Spherical codes against the known optimal minimum distances (Tammes
	// problem) on the unit sphere of R^3: the octahedron (6) and
	// icosahedron (12); 8 points: square antiprism 1.2156.
	for _, tc := range []struct {
		nc   int
		best float64
	}{{6, math.Sqrt2}, {8, 1.2156}, {12, 1.0515}, {20, 0.7895}} {
		l, err := Spread(tc.nc, 3, 1, 0.05)
		if err != nil {
			t.Fatalf("spherical code %d: %v", tc.nc, err)
		}
		if l.Rd() < 0.97*tc.best {
			t.Errorf("spherical code of %d points: R_d = %.4f, want >= 97%% of the best known %.4f", tc.nc, l.Rd(), tc.best)
		}
		t.Logf("spherical code %d in R^3: R_d = %.4f (best known %.4f)", tc.nc, l.Rd(), tc.best)
	}
	// n_d = 2 is the paper's circle.
	a, _ := Spread(5, 2, 0.85, 0.34)
	b := paperLayout(t)
	if !a.Equal(b) || a.Rd() != b.Rd() {
		t.Error("Spread(5, 2) differs from Circle(5)")
	}
}

func TestLayoutJSONRoundTrip(t *testing.T) {
	for _, mk := range []func() (*Layout, error){
		func() (*Layout, error) { return Circle(5, 0.85, 0.34) },
		func() (*Layout, error) { return Spread(10, 4, 1, 0.2) },
	} {
		l, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		var back Layout
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !back.Equal(l) || back.Rd() != l.Rd() || back.Kb() != l.Kb() || back.Kind() != l.Kind() {
			t.Errorf("round trip changed the layout:\n%s\n%+v", b, back)
		}
	}
	var l Layout
	if err := json.Unmarshal([]byte(`{"centers":[[0,0],[0.1,0]],"radii":[0.3,0.3]}`), &l); err == nil {
		t.Error("overlapping layout JSON accepted")
	}
}

func TestSimProperties(t *testing.T) {
	l := paperLayout(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 2000; n++ {
		a, _ := l.V([]float64{rng.NormFloat64(), rng.NormFloat64()})
		b, _ := l.V([]float64{rng.NormFloat64(), rng.NormFloat64()})
		s, ok := SimOK(a, b)
		if s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("sim %v outside [0, 1]", s)
		}
		if s2, _ := SimOK(b, a); s2 != s {
			t.Fatalf("sim not symmetric: %v vs %v", s, s2)
		}
		if ok && !Outside(a) {
			if self := Sim(a, a); math.Abs(self-1) > 1e-12 {
				t.Fatalf("sim(a, a) = %v, want 1", self)
			}
		}
	}
}
