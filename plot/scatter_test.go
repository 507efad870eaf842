package plot

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// paperLayout is the paper's 5-cluster layout.
func paperLayout(t *testing.T) *latent.Layout {
	t.Helper()
	l, err := latent.Circle(latent.PaperNC, 0.85, 0.34)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// blobs returns n points scattered around the layout's centres, with
// their labels.
func blobs(l *latent.Layout, n int, sd float64, seed uint64) ([][]float64, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var z [][]float64
	var y []int
	for i := 0; i < n; i++ {
		k := rng.IntN(l.NC())
		c := l.Center(k)
		for j := range c {
			c[j] += rng.NormFloat64() * sd
		}
		z = append(z, c)
		y = append(y, k)
	}
	return z, y
}

func TestScatterEqualScales(t *testing.T) {
	l := paperLayout(t)
	z, y := blobs(l, 200, 0.2, 1)
	for _, tc := range []struct {
		name string
		spec ScatterSpec
	}{
		{"fixed", ScatterSpec{Layout: l, Clouds: []Cloud{TrainCloud("train", z, y)}, View: View{Half: 2}}},
		{"wide-titled", ScatterSpec{Title: "a long title for a small figure", Layout: l, View: View{Half: WideHalf}, Side: 2}},
		{"auto-many-classes", ScatterSpec{Classes: make([]string, 40), Clouds: []Cloud{{Points: [][]float64{{123, -7}}, Labels: []int{39}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.spec.Classes != nil {
				for i := range tc.spec.Classes {
					tc.spec.Classes[i] = strings.Repeat("x", i%7+1)
				}
			}
			d, err := prepare(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			ax := d.axes()
			if ax.xmin != ax.ymin || ax.xmax != ax.ymax || ax.xmin != -ax.xmax {
				t.Errorf("axis ranges x [%g, %g], y [%g, %g]: want equal and symmetric", ax.xmin, ax.xmax, ax.ymin, ax.ymax)
			}
			g := d.geometry(ax, d.legend(), d.notes())
			if w, h := g.data.Max.X-g.data.Min.X, g.data.Max.Y-g.data.Min.Y; math.Abs(float64(w-h)) > 1e-9 || w <= 0 {
				t.Errorf("data area %v x %v: want a square", w, h)
			}
			if g.data.Min.X < 0 || g.data.Min.Y < 0 || g.data.Max.X > g.w || g.data.Max.Y > g.h || g.legend.Max.X > g.w+1e-9 {
				t.Errorf("layout %+v does not fit the figure %v x %v", g, g.w, g.h)
			}
		})
	}
}

// TestScatterCirclesRoundAtCentres renders the paper's layout and checks,
// pixel by pixel, that each r_c circle passes through the 8 compass points
// at distance r_c from its centre and that the disc inside is empty but
// for the centre dot: with unequal scales the vertical points would miss.
// Just outside the circle, on the side away from the origin, is the class
// name, so that side is not checked for white.
func TestScatterCirclesRoundAtCentres(t *testing.T) {
	l := paperLayout(t)
	spec := ScatterSpec{Layout: l, View: View{Half: 2}}
	d, err := prepare(spec)
	if err != nil {
		t.Fatal(err)
	}
	g := d.geometry(d.axes(), d.legend(), d.notes())
	fig, err := Scatter(spec)
	if err != nil {
		t.Fatal(err)
	}
	img := render(t, fig)
	if b := img.Bounds(); math.Abs(float64(b.Dx())-float64(fig.Width)*testScale) > 1 || math.Abs(float64(b.Dy())-float64(fig.Height)*testScale) > 1 {
		t.Fatalf("image %v for a %v x %v figure at %d dpi", b, fig.Width, fig.Height, testDPI)
	}
	for i := 0; i < l.NC(); i++ {
		c := l.Center(i)
		if p := pixel(img, dataPoint(g, 2, c[0], c[1])); !isDark(p) {
			t.Errorf("centre %d at %v: pixel %v, want the black dot", i, c, p)
		}
		for k := 0; k < 8; k++ {
			a := float64(k) * math.Pi / 4
			on := dataPoint(g, 2, c[0]+0.34*math.Cos(a), c[1]+0.34*math.Sin(a))
			if !darkNear(img, on, 1) {
				t.Errorf("centre %d, angle %d deg: no circle pixel at r_c", i, k*45)
			}
			for _, r := range []float64{0.2, 0.45} {
				if r > 0.34 && c[0]*math.Cos(a)+c[1]*math.Sin(a) >= 0 {
					continue // outside the circle away from the origin: the class name
				}
				p := dataPoint(g, 2, c[0]+r*math.Cos(a), c[1]+r*math.Sin(a))
				if px := pixel(img, p); !isWhite(px) {
					t.Errorf("centre %d, angle %d deg, r %g: pixel %v, want white", i, k*45, r, px)
				}
			}
		}
	}
}

// TestScatterWedges checks, pixel by pixel, that the figure is light grey
// in the middle of every range Prohibited() lists and white in the middle
// of the allowed parts, at two radii, for both sector kinds.
func TestScatterWedges(t *testing.T) {
	six, err := latent.DefaultSectors(6)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*latent.Sectors{six, latent.PaperEq6()} {
		t.Run(s.Kind(), func(t *testing.T) {
			spec := ScatterSpec{Sectors: s, View: View{Half: 2}}
			d, err := prepare(spec)
			if err != nil {
				t.Fatal(err)
			}
			g := d.geometry(d.axes(), d.legend(), d.notes())
			fig, err := Scatter(spec)
			if err != nil {
				t.Fatal(err)
			}
			img := render(t, fig)
			checked := 0
			for deg := 0.5; deg < 360; deg++ {
				a := deg * math.Pi / 180
				// Skip angles within 2 degrees of a boundary (antialiasing).
				near := false
				for _, dd := range []float64{-2, 2} {
					near = near || s.IsProhibited(a+dd*math.Pi/180) != s.IsProhibited(a)
				}
				if near {
					continue
				}
				for _, r := range []float64{0.8, 1.9} {
					px := pixel(img, dataPoint(g, 2, r*math.Cos(a), r*math.Sin(a)))
					want := s.IsProhibited(a)
					if got := isGrey(px, prohibitedCol.R); got != want {
						t.Errorf("angle %.1f deg, r %g: pixel %v, prohibited %v", deg, r, px, want)
					}
					if !want && !isWhite(px) {
						t.Errorf("angle %.1f deg, r %g: allowed but pixel %v", deg, r, px)
					}
					checked++
				}
			}
			if checked < 200 {
				t.Errorf("only %d angles checked", checked)
			}
			// The listed ranges are what IsProhibited says (the figure
			// draws Prohibited()).
			for _, pr := range s.Prohibited() {
				if mid := pr.From + pr.Width/2; !s.IsProhibited(mid) {
					t.Errorf("range %+v: middle not prohibited", pr)
				}
			}
		})
	}
}

func TestScatterBadInput(t *testing.T) {
	l := paperLayout(t)
	l4, err := latent.Spread(5, 4, 0.85, 0.34)
	if err != nil {
		t.Fatal(err)
	}
	two := [][]float64{{0, 0}, {1, 1}}
	for _, tc := range []struct {
		name string
		spec ScatterSpec
		want string
	}{
		{"labels-length", ScatterSpec{Clouds: []Cloud{{Points: two, Labels: []int{0}}}}, "2 points and 1 labels"},
		{"ragged", ScatterSpec{Clouds: []Cloud{{Points: [][]float64{{0, 0}, {1, 1, 1}}}}}, "point 1 has 3 coordinates"},
		{"layout-dim", ScatterSpec{Layout: l4, Clouds: []Cloud{{Points: two}}}, "point 0 has 2 coordinates, want 4"},
		{"label-high", ScatterSpec{Layout: l, Clouds: []Cloud{{Points: two, Labels: []int{0, 5}}}}, "label 5"},
		{"label-low", ScatterSpec{Clouds: []Cloud{{Points: two, Labels: []int{-2, 0}}}}, "label -2"},
		{"names-vs-layout", ScatterSpec{Layout: l, Classes: []string{"a", "b"}}, "2 class names for a layout of 5"},
		{"label-vs-names", ScatterSpec{Classes: []string{"a"}, Clouds: []Cloud{{Points: two, Labels: []int{0, 1}}}}, "label 1"},
		{"sectors-nd4", ScatterSpec{Layout: l4, Sectors: latent.PaperEq6()}, "sectors need n_d = 2"},
		{"query-dim", ScatterSpec{Layout: l, Query: []float64{1}}, "query has 1 coordinates"},
		{"query-nan", ScatterSpec{Layout: l, Query: []float64{math.NaN(), 0}}, "not finite"},
		{"view", ScatterSpec{View: View{Half: -1}}, "view"},
		{"view-nan", ScatterSpec{View: View{Half: math.NaN()}}, "view"},
		{"nd1", ScatterSpec{Clouds: []Cloud{{Points: [][]float64{{1}}}}}, "n_d = 1"},
		{"radius", ScatterSpec{Clouds: []Cloud{{Points: two, Radius: -1}}}, "marker radius"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fig, err := Scatter(tc.spec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Scatter: figure %v, error %v; want an error containing %q", fig != nil, err, tc.want)
			}
		})
	}
}

func TestScatterNotes(t *testing.T) {
	l := paperLayout(t)
	inf := math.Inf(1)
	pts := [][]float64{{0.85, 0}, {math.NaN(), 0}, {0, inf}, {3, 0}, {-0.5, -1.9}}
	fig, err := Scatter(ScatterSpec{Layout: l, Clouds: []Cloud{{Points: pts, Labels: []int{0, 1, 2, -1, 3}}}, View: View{Half: 2}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2 non-finite points skipped", "1 of 3 points outside the view [-2, 2]"}
	if strings.Join(fig.Notes, "|") != strings.Join(want, "|") {
		t.Errorf("notes %q, want %q", fig.Notes, want)
	}
	render(t, fig)

	q, err := Scatter(ScatterSpec{Layout: l, View: View{Half: 2}, Query: []float64{0, 2.5}})
	if err != nil || len(q.Notes) != 2 || q.Notes[1] != "query (0, 2.5) outside the view" {
		t.Errorf("query outside the view: %v, notes %q", err, q.Notes)
	}

	empty, err := Scatter(ScatterSpec{})
	if err != nil {
		t.Fatal(err)
	}
	if len(empty.Notes) != 1 || empty.Notes[0] != "no points to draw" {
		t.Errorf("empty figure notes %q", empty.Notes)
	}
	if img := render(t, empty); img.Bounds().Dx() < 100 {
		t.Errorf("empty figure is %v", img.Bounds())
	}
}

func TestScatterAutoView(t *testing.T) {
	for _, tc := range []struct {
		pts  [][]float64
		want float64
	}{
		{[][]float64{{0.3, -0.2}}, 0.5},
		{[][]float64{{-37, 3}, {12, 4}}, 50},
		{[][]float64{{1.9, 0}}, 2},
		{[][]float64{{0, 0}}, 1},
	} {
		d, err := prepare(ScatterSpec{Clouds: []Cloud{{Points: tc.pts}}})
		if err != nil {
			t.Fatal(err)
		}
		if d.half != tc.want || d.outside != 0 {
			t.Errorf("points %v: view half %g (outside %d), want %g", tc.pts, d.half, d.outside, tc.want)
		}
	}
	d, err := prepare(ScatterSpec{Layout: paperLayout(t)})
	if err != nil {
		t.Fatal(err)
	}
	if d.half != 2 { // 0.85 + 0.34 = 1.19, times 1.03, rounded up to 2
		t.Errorf("layout only: view half %g, want 2", d.half)
	}
}
