package repro

import (
	"math"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// TestZMahalanobisByHand fits the z-space Gaussians on three classes in 2-D
// whose points deviate by (±2, ±1) from their means (0-based: (1,0),
// (10,0), (0,10)), so that every covariance is diag(4, 1), and checks the
// squared Mahalanobis distances against the hand-computed values.
func TestZMahalanobisByHand(t *testing.T) {
	l, err := latent.Spread(3, 2, latent.PaperDC, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	means := [][2]float32{{1, 0}, {10, 0}, {0, 10}}
	var z []float32
	var y []int32
	for c, m := range means {
		for _, d := range [][2]float32{{2, 1}, {2, -1}, {-2, 1}, {-2, -1}} {
			z = append(z, m[0]+d[0], m[1]+d[1])
			y = append(y, int32(c))
		}
	}
	d, err := fitZDetector(l, z, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.perp) != 0 || d.sharedPerp != nil {
		t.Errorf("3 centres span the plane, yet z_⊥ has %d dimensions", len(d.perp))
	}
	// (1,3): 0/4 + 9/1 = 9 to class 0 (class 1: 81/4 + 9, class 2: 1/4 + 49);
	// (5,0): 16/4 = 4 to class 0, 25/4 = 6.25 to class 1 (the predicted
	// class below, under its own covariance).
	s := d.scores([]float32{1, 3, 5, 0}, []int{2, 1})
	for i, want := range []float64{9, 4} {
		if got := s[ScoreZMaha][i]; math.Abs(got-want) > 1e-6 {
			t.Errorf("shared Mahalanobis of point %d: %v, want %v", i, got, want)
		}
	}
	for i, want := range []float64{1.0/4 + 49, 6.25} {
		if got := s[ScoreZMahaClass][i]; math.Abs(got-want) > 1e-6 {
			t.Errorf("per-class Mahalanobis of point %d: %v, want %v", i, got, want)
		}
	}
	if _, ok := s[ScoreZPerpMaha]; ok {
		t.Errorf("a z_⊥ score without room outside the span")
	}
}

// TestZPerp: in a layout with 2 extra dimensions, z_⊥ has 2 orthonormal
// coordinates orthogonal to every centre; a point in the centres' span
// has z_⊥ 0, and a point off it its extra coordinates' norm.
func TestZPerp(t *testing.T) {
	l, err := OpenSetVariant{ExtraDims: 2}.layout(4)
	if err != nil {
		t.Fatal(err)
	}
	p := l.PerpBasis()
	if len(p) != 2 {
		t.Fatalf("z_⊥ has %d dimensions, want 2", len(p))
	}
	for i, b := range p {
		for j, c := range p {
			want := 0.0
			if i == j {
				want = 1
			}
			if math.Abs(dot(b, c)-want) > 1e-9 {
				t.Errorf("basis %d . %d = %v", i, j, dot(b, c))
			}
		}
		for k := range l.NC() {
			if math.Abs(dot(b, l.Center(k))) > 1e-9 {
				t.Errorf("basis %d not orthogonal to centre %d", i, k)
			}
		}
	}
	nd := l.ND()
	in := make([]float32, nd)
	for k := range nd {
		in[k] = float32(0.3*l.Center(0)[k] - 0.7*l.Center(2)[k])
	}
	for _, v := range perpCoords(p, in, nd) {
		if math.Abs(float64(v)) > 1e-6 {
			t.Errorf("a point in the span has z_⊥ %v", perpCoords(p, in, nd))
		}
	}
	off := make([]float32, nd)
	off[nd-2], off[nd-1] = 3, 4
	n := 0.0
	for _, v := range perpCoords(p, off, nd) {
		n += float64(v) * float64(v)
	}
	if math.Abs(math.Sqrt(n)-5) > 1e-5 {
		t.Errorf("|z_⊥| of (.., 3, 4) = %v, want 5", math.Sqrt(n))
	}
}

// TestStandardisedSum: each score is centred and scaled by the reference
// images' mean and sample sd (fitStandardiser, the one rule), then the two
// are added; a constant reference is refused.
func TestStandardisedSum(t *testing.T) {
	// reference a: mean 2, sd sqrt(2); b: mean 10, sd sqrt(50) = 5 sqrt(2)
	got, err := standardisedSum([]float64{4, 2}, []float64{0, 20}, []float64{1, 3}, []float64{5, 15})
	if err != nil {
		t.Fatal(err)
	}
	r2 := math.Sqrt2
	for i, want := range []float64{2/r2 - 10/(5*r2), 0 + 10/(5*r2)} {
		if math.Abs(got[i]-want) > 1e-12 {
			t.Errorf("sum %d: %v, want %v", i, got[i], want)
		}
	}
	if _, err := standardisedSum([]float64{1}, []float64{1}, []float64{3, 3}, []float64{5, 15}); err == nil {
		t.Error("a constant reference was standardised, want an error")
	}
	if sd := columnSD([]float32{1, 5, 3, 5}, 2); sd[0] != 1 || sd[1] != 0 {
		t.Errorf("column sd %v, want [1 0]", sd)
	}
	// twenty validation scores of 2: the conformal threshold is 2
	val := make([]float64, 20)
	for i := range val {
		val[i] = 2
	}
	if o, err := calOutside(val, []float64{1, 2, 3, math.NaN()}, nil); err != nil || o.pair()[1] != 0.5 {
		t.Errorf("share above 2: %+v, %v, want 0.5 (NaN counts as above)", o, err)
	}
}

// TestUnknownMass: the oracle's score is the softmax mass on the unknown
// classes, and its closed-set prediction the largest known logit.
func TestUnknownMass(t *testing.T) {
	logits := []float32{0, float32(math.Log(3)), 0, 2, 5, 1}
	mass, right := unknownMass(logits, 3, []int{1}, []int32{0, 2})
	if math.Abs(mass[0]-0.6) > 1e-6 {
		t.Errorf("mass %v, want 3/5", mass[0])
	}
	want1 := math.Exp(5) / (math.Exp(2) + math.Exp(5) + math.Exp(1))
	if math.Abs(mass[1]-want1) > 1e-6 {
		t.Errorf("mass %v, want %v", mass[1], want1)
	}
	if !right[0] || right[1] {
		t.Errorf("correct %v, want [true false] (row 2: class 0's logit 2 beats class 2's 1)", right)
	}
}

// TestZSumBase: the sum adds the Mahalanobis to the method's first score,
// or to its z_∥ form for the variant (whose extra dimensions may carry
// appearance, which the full-z score would read as distance).
func TestZSumBase(t *testing.T) {
	want := map[string]string{"ce": ScoreMSP, "ce+g distance": ScoreMSPNorm, "ce+g distance variant": ScoreMSPNormSpan}
	for _, m := range openMethods {
		if w, ok := want[m.Name]; ok && zSumBase(m) != w {
			t.Errorf("%s: sum on %q, want %q", m.Name, zSumBase(m), w)
		}
	}
}
