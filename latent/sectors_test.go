package latent

import (
	"math"
	"testing"
)

// sectorConfigs are the two configurations every property must hold for.
func sectorConfigs(t testing.TB) []*Sectors {
	s, err := DefaultSectors(6)
	if err != nil {
		t.Fatal(err)
	}
	s5, err := DefaultSectors(5)
	if err != nil {
		t.Fatal(err)
	}
	return []*Sectors{PaperEq6(), s, s5}
}

// checkSectorOutput asserts the transform's guarantee for one input: no
// output in a prohibited range, the radius kept (or the point sent to the
// origin when it is too small to carry an angle), finite coordinates.
func checkSectorOutput(t *testing.T, s *Sectors, z0, z1 float64) {
	t.Helper()
	x, y, err := s.Apply(z0, z1)
	if err != nil {
		t.Fatalf("%s: Apply(%v, %v): %v", s.Kind(), z0, z1, err)
	}
	if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
		t.Fatalf("%s: Apply(%v, %v) = (%v, %v), not finite", s.Kind(), z0, z1, x, y)
	}
	if s.IsProhibitedPoint(x, y) {
		t.Fatalf("%s: Apply(%v, %v) = (%v, %v) at %.17g rad (residue %.10g deg) is in a prohibited range",
			s.Kind(), z0, z1, x, y, math.Atan2(y, x), s.Residue(math.Atan2(y, x))*180/math.Pi)
	}
	r, ro := math.Hypot(z0, z1), math.Hypot(x, y)
	if ro != 0 && !math.IsInf(r, 0) && !math.IsInf(ro, 0) && math.Abs(ro-r) > 1e-12*r+1e-300 {
		t.Fatalf("%s: Apply(%v, %v): radius %v became %v", s.Kind(), z0, z1, r, ro)
	}
	if ro == 0 && r > 1e-290 {
		t.Fatalf("%s: Apply(%v, %v) sent a point of radius %v to the origin", s.Kind(), z0, z1, r)
	}
}

// boundaryInputs are angles on and next to every boundary the two rules
// have, positive and negative, at several radii.
func boundaryInputs(s *Sectors) [][2]float64 {
	var angles []float64
	deg := math.Pi / 180
	for k := -12; k <= 12; k++ {
		base := s.Offset() + float64(k)*s.Period()
		marks := []float64{0, 10 * deg, 20 * deg, 30 * deg, 40 * deg, 50 * deg, s.ClassWidth()}
		for _, m := range marks {
			a := base + m
			angles = append(angles, a, math.Nextafter(a, math.Inf(1)), math.Nextafter(a, math.Inf(-1)), a+1e-9, a-1e-9)
		}
	}
	var out [][2]float64
	for _, a := range angles {
		for _, r := range []float64{1, 1e-300, 5e-324, 1e300, 0.85, 3e-10} {
			out = append(out, [2]float64{r * math.Cos(a), r * math.Sin(a)})
		}
	}
	out = append(out, [][2]float64{{0, 0}, {-0.0, 0}, {0, -0.0}, {-1, 0}, {-1, -0.0}, {0, -1},
		{math.MaxFloat64, math.MaxFloat64}, {-math.MaxFloat64, 1}, {5e-324, 5e-324}, {-5e-324, 5e-324}}...)
	return out
}

func TestSectorsNoProhibitedOutput(t *testing.T) {
	for _, s := range sectorConfigs(t) {
		for _, z := range boundaryInputs(s) {
			checkSectorOutput(t, s, z[0], z[1])
		}
		// A dense sweep of the circle.
		for i := 0; i < 100000; i++ {
			a := -3*math.Pi + 6*math.Pi*float64(i)/100000
			checkSectorOutput(t, s, 2*math.Cos(a), 2*math.Sin(a))
		}
	}
}

// FuzzSectors proves, for any finite input the fuzzer finds, that neither
// configuration puts an output in a prohibited range. The seed corpus
// (boundaries, negative angles, tiny and huge radii) runs in every go test.
func FuzzSectors(f *testing.F) {
	for _, s := range sectorConfigs(f) {
		for _, z := range boundaryInputs(s) {
			f.Add(z[0], z[1])
		}
	}
	configs := sectorConfigs(f)
	f.Fuzz(func(t *testing.T, z0, z1 float64) {
		if math.IsNaN(z0) || math.IsInf(z0, 0) || math.IsNaN(z1) || math.IsInf(z1, 0) {
			for _, s := range configs {
				if _, _, err := s.Apply(z0, z1); err == nil {
					t.Fatalf("Apply(%v, %v): want an error for non-finite input", z0, z1)
				}
			}
			return
		}
		for _, s := range configs {
			checkSectorOutput(t, s, z0, z1)
		}
	})
}

// TestPaperEq6Gaps checks the reading of eq 6 in SPEC section 2: taken
// literally, outputs avoid (10, 20] and [30, 40) degrees of every sector and
// fill the rest.
func TestPaperEq6Gaps(t *testing.T) {
	s := PaperEq6()
	hit := make([]bool, 60)
	for i := 0; i < 360000; i++ {
		a := float64(i) / 1000 * math.Pi / 180
		x, y, _ := s.Apply(math.Cos(a), math.Sin(a))
		deg := s.Residue(math.Atan2(y, x)) * 180 / math.Pi
		hit[int(deg)%60] = true
	}
	for d := 0; d < 60; d++ {
		empty := (d >= 10 && d < 20) || (d >= 30 && d < 40)
		if hit[d] == empty {
			t.Errorf("degree bin [%d, %d) of the sector: hit = %v, want %v", d, d+1, hit[d], !empty)
		}
	}
}

// TestDefaultSectorsMatchProse checks the general layout for n = 6: 50-degree
// class sectors, 10-degree gaps, 30-degree rotation, class parts centred on
// the circle layout's centres.
func TestDefaultSectorsMatchProse(t *testing.T) {
	s, err := DefaultSectors(6)
	if err != nil {
		t.Fatal(err)
	}
	deg := math.Pi / 180
	if math.Abs(s.ClassWidth()-50*deg) > 1e-12 || math.Abs(s.Rotation()-30*deg) > 1e-12 || math.Abs(s.Period()-60*deg) > 1e-12 {
		t.Fatalf("class width %v rotation %v period %v", s.ClassWidth()/deg, s.Rotation()/deg, s.Period()/deg)
	}
	for k := 0; k < 6; k++ {
		c := float64(k) * 60 * deg
		if s.IsProhibited(c) || s.IsProhibited(c+24*deg) || s.IsProhibited(c-24*deg) {
			t.Errorf("class part %d (centred on %v deg) is prohibited", k, c/deg)
		}
		if !s.IsProhibited(c+30*deg) || !s.IsProhibited(c+26*deg) || !s.IsProhibited(c+34*deg) {
			t.Errorf("gap after class part %d is not prohibited", k)
		}
	}
	// A point in a gap lands 30 degrees further on.
	x, y, _ := s.Apply(math.Cos(30*deg), math.Sin(30*deg))
	if got := math.Atan2(y, x) / deg; math.Abs(got-60) > 1e-9 {
		t.Errorf("gap point at 30 deg went to %v deg, want 60", got)
	}
	// The display ranges agree with the rule away from their ends.
	for _, cfg := range sectorConfigs(t) {
		for _, r := range cfg.Prohibited() {
			if !cfg.IsProhibited(r.From+r.Width/2) || cfg.IsProhibited(r.From-1e-6) || cfg.IsProhibited(r.From+r.Width+1e-6) {
				t.Errorf("%s: display range from %v deg width %v deg disagrees with IsProhibited", cfg.Kind(), r.From/deg, r.Width/deg)
			}
		}
	}
}

func TestNewSectorsErrors(t *testing.T) {
	deg := math.Pi / 180
	if _, err := NewSectors(6, 50*deg, 5*deg, 0); err == nil {
		t.Error("rotation 5 deg moves a 10-degree gap onto a gap: want error")
	}
	if _, err := NewSectors(6, 70*deg, 30*deg, 0); err == nil {
		t.Error("class width wider than the sector: want error")
	}
	if _, err := NewSectors(0, 1, 1, 0); err == nil {
		t.Error("0 sectors: want error")
	}
	if _, err := NewSectors(6, 50*deg, math.NaN(), 0); err == nil {
		t.Error("NaN rotation: want error")
	}
	if _, err := ParseSectors("spiral", 5); err == nil {
		t.Error("unknown configuration name: want error")
	}
}
