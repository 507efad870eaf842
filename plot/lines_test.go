package plot

import (
	"image"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/latent"
	"gonum.org/v1/plot/vg"
)

// chartPoint maps data (x, y) of chart c to figure points in area r.
func chartPoint(c *lineChart, r vg.Rectangle, x, y float64) vg.Point {
	return vg.Point{
		X: r.Min.X + vg.Length((x-c.xmin)/(c.xmax-c.xmin))*(r.Max.X-r.Min.X),
		Y: r.Min.Y + vg.Length((y-c.ymin)/(c.ymax-c.ymin))*(r.Max.Y-r.Min.Y),
	}
}

// colouredNear reports whether a saturated (non-grey) pixel is within d
// points of p.
func colouredNear(img image.Image, p vg.Point, d float64) bool {
	for dx := -d; dx <= d; dx += 0.5 {
		for dy := -d; dy <= d; dy += 0.5 {
			c := pixel(img, vg.Point{X: p.X + vg.Length(dx), Y: p.Y + vg.Length(dy)})
			if max(c.R, c.G, c.B)-min(c.R, c.G, c.B) > 60 {
				return true
			}
		}
	}
	return false
}

// TestFDCurveFollowsFD renders the paper's Figure 6 and checks, pixel by
// pixel, that the curve passes through (x, latent.FD(x, 2)), that the
// space above the flat part is blank, and that the guide marks r_c.
func TestFDCurveFollowsFD(t *testing.T) {
	st, err := fdStack(FDSpec{})
	if err != nil {
		t.Fatal(err)
	}
	c := st.charts[0]
	if c.xmin != 0 || c.xmax != 5 || c.ymin != 0 || math.Abs(c.ymax-latent.FD(5, 2)*1.04) > 1e-9 {
		t.Fatalf("ranges x [%g, %g] y [%g, %g]; want x [0, 5], y [0, 1.04 f_d(5, 2)]", c.xmin, c.xmax, c.ymin, c.ymax)
	}
	g := st.geometry()
	img := render(t, st.figure())
	for _, x := range []float64{0.5, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 4.9} {
		if !colouredNear(img, chartPoint(c, g.data[0], x, latent.FD(x, 2)), 1.5) {
			t.Errorf("no curve pixel near x = %g, f_d = %.4f", x, latent.FD(x, 2))
		}
	}
	for _, x := range []float64{0.5, 1.5, 3} {
		if px := pixel(img, chartPoint(c, g.data[0], x, 10)); !isWhite(px) {
			t.Errorf("pixel %v at x = %g, f_d = 10: want white", px, x)
		}
	}
	if px := pixel(img, chartPoint(c, g.data[0], 4, 1)); !isWhite(px) {
		t.Errorf("pixel %v under the curve at x = 4: want white", px)
	}
	// The dashed grey guide at r_c = 2: grey pixels along x = 2.
	grey := 0
	for y := 3.0; y < 18; y += 0.5 {
		px := pixel(img, chartPoint(c, g.data[0], 2, y))
		if !isWhite(px) && max(px.R, px.G, px.B)-min(px.R, px.G, px.B) < 10 {
			grey++
		}
	}
	if grey < 10 {
		t.Errorf("%d grey pixels along x = r_c: want the dashed guide", grey)
	}
	dir := t.TempDir()
	fig, err := FDCurve(FDSpec{Radii: []float64{0.34, 2}, XMax: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(fig, filepath.Join(dir, "fd")); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, fig, filepath.Join(dir, "fd"))

	for _, bad := range []FDSpec{{Radii: []float64{}}, {Radii: []float64{-1}}, {Radii: []float64{math.NaN()}}, {XMax: -1}, {XMax: 1e6}} {
		if _, err := FDCurve(bad); err == nil {
			t.Errorf("FDCurve(%+v) accepted", bad)
		}
	}
}

// TestTrainingCurves checks the panels, a series drawn where its values
// are (including across NaN gaps), and the errors.
func TestTrainingCurves(t *testing.T) {
	n := 12
	m := TrainingMetrics{}
	for e := 0; e < n; e++ {
		x := float64(e)
		m.CE = append(m.CE, 1.5*math.Exp(-x/4))
		m.LG = append(m.LG, 30*math.Exp(-x/3))
		m.Loss = append(m.Loss, m.CE[e]+0.2*m.LG[e])
		m.TrainAcc = append(m.TrainAcc, 0.2+0.07*x)
		gen := math.NaN()
		if e%4 == 3 {
			gen = 0.5
		}
		m.GenAcc = append(m.GenAcc, gen)
	}
	fig, err := TrainingCurves("run", m)
	if err != nil {
		t.Fatal(err)
	}
	spec := CurvesSpec{Title: "run", Panels: []Panel{
		{Title: "loss", YLabel: "loss", Series: []Series{{Name: "total", Values: m.Loss}, {Name: "CE", Values: m.CE}}},
		{Title: "geometric loss", YLabel: "L_G", Series: []Series{{Name: "L_G", Values: m.LG}}},
		{Title: "accuracy", YLabel: "accuracy (%)", YMin: 0, YMax: 100, Series: []Series{{Name: "train", Values: scale(m.TrainAcc, 100)}, {Name: "generalization", Values: scale(m.GenAcc, 100)}}},
	}}
	st, err := curvesStack(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.charts) != 3 || st.charts[2].ymin != 0 || st.charts[2].ymax != 100 || st.charts[0].xmin != 1 || st.charts[0].xmax != float64(n) {
		t.Fatalf("charts %d, accuracy y [%g, %g], x [%g, %g]", len(st.charts), st.charts[2].ymin, st.charts[2].ymax, st.charts[0].xmin, st.charts[0].xmax)
	}
	g := st.geometry()
	if math.Abs(float64(g.w-fig.Width)) > 1e-9 || math.Abs(float64(g.h-fig.Height)) > 1e-9 {
		t.Fatalf("TrainingCurves figure %v x %v, the same curves by hand %v x %v", fig.Width, fig.Height, g.w, g.h)
	}
	dir := t.TempDir()
	if err := Save(fig, filepath.Join(dir, "curves")); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, fig, filepath.Join(dir, "curves"))
	img := render(t, fig)
	acc := st.charts[2]
	for e := 0; e < n; e++ {
		if !colouredNear(img, chartPoint(acc, g.data[2], float64(e+1), 100*m.TrainAcc[e]), 1.5) {
			t.Errorf("epoch %d: no train accuracy pixel at %.0f%%", e+1, 100*m.TrainAcc[e])
		}
	}
	// The generalization line joins epochs 4 and 8 across the NaN gap.
	if !colouredNear(img, chartPoint(acc, g.data[2], 6, 50), 1.5) {
		t.Error("generalization accuracy not joined across unmeasured epochs")
	}
	if !colouredNear(img, chartPoint(st.charts[1], g.data[1], 1, 30), 1.5) {
		t.Error("no L_G pixel at epoch 1")
	}

	// Only the panels with series are drawn.
	st, err = curvesStack(CurvesSpec{Panels: []Panel{{Title: "empty"}, {Title: "acc", Series: []Series{{Values: []float64{0.1, 0.2}}}}}})
	if err != nil || len(st.charts) != 1 || st.charts[0].title != "acc" {
		t.Errorf("empty panel not left out: %v", err)
	}
	empty, err := Curves(CurvesSpec{})
	if err != nil || len(empty.Notes) != 1 || empty.Notes[0] != "no series to draw" {
		t.Errorf("empty curves: %v, notes %q", err, empty.Notes)
	}
	inf, err := Curves(CurvesSpec{Panels: []Panel{{Series: []Series{{Values: []float64{1, math.Inf(1), 2}}}}}})
	if err != nil || len(inf.Notes) != 1 || !strings.Contains(inf.Notes[0], "1 infinite value skipped") {
		t.Errorf("infinite value: %v, notes %q", err, inf.Notes)
	}
	render(t, inf)

	for name, bad := range map[string]func() error{
		"length": func() error {
			_, err := TrainingCurves("", TrainingMetrics{CE: []float64{1, 2}, LG: []float64{1}})
			return err
		},
		"percent": func() error {
			_, err := TrainingCurves("", TrainingMetrics{TestAcc: []float64{77}})
			return err
		},
		"epochs": func() error {
			_, err := Curves(CurvesSpec{Epochs: []float64{1, math.NaN()}, Panels: []Panel{{Series: []Series{{Values: []float64{1, 2}}}}}})
			return err
		},
		"epochs-length": func() error {
			_, err := Curves(CurvesSpec{Epochs: []float64{1, 2, 3}, Panels: []Panel{{Series: []Series{{Values: []float64{1, 2}}}}}})
			return err
		},
	} {
		if bad() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
