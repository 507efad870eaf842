package repro

import (
	"github.com/lsconf/lsconf/report"
	"math"
	"strings"
	"testing"
)

func TestSpreadOf(t *testing.T) {
	s := SpreadOf([]float64{4, 1, math.NaN(), 3, 2})
	if s.N != 4 || s.Mean != 2.5 || math.Abs(s.SD-math.Sqrt(5.0/3)) > 1e-12 || s.Min != 1 || s.Max != 4 {
		t.Errorf("SpreadOf = %+v", s)
	}
	if one := SpreadOf([]float64{7}); one.N != 1 || one.SD != 0 || one.Format(1) != "7.0" {
		t.Errorf("one value: %+v %q", one, one.Format(1))
	}
	if none := SpreadOf(nil); none.N != 0 || !math.IsNaN(none.Mean) || none.Format(1) != "-" {
		t.Errorf("no values: %+v", none)
	}
	if got := s.Format(1); got != "2.5 ± 1.3 (1.0–4.0)" {
		t.Errorf("Format = %q", got)
	}
	a, b, c := SpreadOf([]float64{1, 3}), SpreadOf([]float64{3, 5}), SpreadOf([]float64{3.5, 5})
	if !a.Overlaps(b) || !b.Overlaps(a) || a.Overlaps(c) || c.Overlaps(a) || a.Overlaps(SpreadOf(nil)) {
		t.Error("Overlaps: ranges [1,3], [3,5] touch; [1,3], [3.5,5] do not")
	}
}

func TestAngleDeg(t *testing.T) {
	deg := math.Pi / 180
	for _, c := range []struct {
		a, b []float64
		want float64
	}{
		{[]float64{1, 0}, []float64{0, 1}, 90},
		{[]float64{1, 0}, []float64{-1, 0}, 180},
		{[]float64{2, 2}, []float64{0.5, 0.5}, 0},
		{[]float64{math.Cos(170 * deg), math.Sin(170 * deg)}, []float64{math.Cos(-170 * deg), math.Sin(-170 * deg)}, 20},
		{[]float64{0, -1}, []float64{1, 0}, 90},
	} {
		if got := angleDeg(c.a, c.b); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("angleDeg(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	if !math.IsNaN(angleDeg([]float64{1}, []float64{1, 0})) {
		t.Error("a 1-D point has no angle")
	}
}

func TestMedianAndFormat(t *testing.T) {
	if m := median([]float64{5, 1, 3}); m != 3 {
		t.Errorf("median odd = %v", m)
	}
	xs := []float64{4, 1, 3, 2}
	if m := median(xs); m != 2.5 || xs[0] != 4 {
		t.Errorf("median even = %v (input changed: %v)", m, xs)
	}
	if report.FmtSeconds(42.4) != "42s" || report.FmtSeconds(187) != "3m07s" || report.FmtSeconds(3725) != "1h02m" {
		t.Errorf("FmtSeconds: %q %q %q", report.FmtSeconds(42.4), report.FmtSeconds(187), report.FmtSeconds(3725))
	}
	if report.Pct(0.1234) != "12.3" || report.Pct(math.NaN()) != "-" || !strings.HasPrefix(report.Num(1234.5), "1.23e+03") {
		t.Errorf("Pct/num: %q %q %q", report.Pct(0.1234), report.Pct(math.NaN()), report.Num(1234.5))
	}
}
