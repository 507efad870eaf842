package repro

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
)

// TestUnknownClassesFixed: each split draws 4 distinct classes of 10, the
// same every time, and the five splits are not all alike.
func TestUnknownClassesFixed(t *testing.T) {
	seen := map[string]bool{}
	for k := 1; k <= 5; k++ {
		u := unknownClasses(k, 10, 4)
		if !slices.Equal(u, unknownClasses(k, 10, 4)) || len(slices.Compact(slices.Clone(u))) != 4 || u[0] < 0 || u[3] > 9 {
			t.Errorf("split %d: %v", k, u)
		}
		seen[string(rune('0'+u[0]))+string(rune('0'+u[1]))+string(rune('0'+u[2]))+string(rune('0'+u[3]))] = true
	}
	if len(seen) < 4 {
		t.Errorf("only %d different splits of 5", len(seen))
	}
}

// TestROCAt: negatives 1..10, positives 5.5 and 11. At FPR 0 the
// threshold is the largest negative (10): one positive above. At FPR 0.5
// it is 5: both. At FPR 1: every positive.
func TestROCAt(t *testing.T) {
	neg := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	got := rocAt([]float64{5.5, 11}, neg, []float64{0, 0.5, 1})
	want := []float64{0.5, 1, 1}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Errorf("rocAt = %v, want %v", got, want)
			break
		}
	}
}

// TestVariantLayout: the variant's layout keeps the simplex of n_c - 1
// dimensions (its R_d and r_c) and adds zero coordinates; d_c scales the
// centres; the run folder names every change.
func TestVariantLayout(t *testing.T) {
	base, err := OpenSetVariant{}.layout(6)
	if err != nil {
		t.Fatal(err)
	}
	x, err := OpenSetVariant{ExtraDims: 3}.layout(6)
	if err != nil {
		t.Fatal(err)
	}
	if base.ND() != 5 || x.ND() != 8 {
		t.Fatalf("n_d %d and %d, want 5 and 8", base.ND(), x.ND())
	}
	if math.Abs(base.Rd()-x.Rd()) > 1e-9 || base.Radius(0) != x.Radius(0) {
		t.Errorf("extra dimensions changed R_d %v -> %v or r_c %v -> %v", base.Rd(), x.Rd(), base.Radius(0), x.Radius(0))
	}
	for c := range 6 {
		cz := x.Center(c)
		if !slices.Equal(cz[5:], []float64{0, 0, 0}) {
			t.Errorf("centre %d: extra coordinates %v, want 0", c, cz[5:])
		}
	}
	d, err := OpenSetVariant{DC: 1.7}.layout(6)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(d.Rd()-2*base.Rd()) > 1e-9 || math.Abs(d.Radius(0)-2*base.Radius(0)) > 1e-9 {
		t.Errorf("d_c 1.7: R_d %v r_c %v, want twice %v and %v", d.Rd(), d.Radius(0), base.Rd(), base.Radius(0))
	}
	if got := (OpenSetVariant{ExtraDims: 2, DC: 1.7, HeadScale: 1, Recon: 0.5, Placeholders: 1, PlaceholderKind: "rotate"}).dir(); got != "ceg-distance-v-x2-dc1.7-s1-recon0.5-ph1rotate" {
		t.Errorf("dir %q", got)
	}
}

// TestSplitSpan: in a layout with 2 extra dimensions, a point's part
// outside the centres' span is its extra coordinates, and its projection
// keeps the rest.
func TestSplitSpan(t *testing.T) {
	l, err := OpenSetVariant{ExtraDims: 2}.layout(4)
	if err != nil {
		t.Fatal(err)
	}
	basis := l.SpanBasis()
	if len(basis) != 3 {
		t.Fatalf("span of 4 simplex centres: %d dimensions, want 3", len(basis))
	}
	z := []float64{0.1, -0.2, 0.3, 3, 4}
	par, perp := splitSpan(basis, z)
	if math.Abs(perp-5) > 1e-12 {
		t.Errorf("|z_perp| = %v, want 5", perp)
	}
	for k, want := range []float64{0.1, -0.2, 0.3, 0, 0} {
		if math.Abs(par[k]-want) > 1e-12 {
			t.Errorf("z_par = %v", par)
			break
		}
	}
}

// TestClassQuantiles: each class's quantile is of its own predicted
// images (conformal rank), a class without images takes the largest
// score, and perClass divides by the predicted class's quantile.
func TestClassQuantiles(t *testing.T) {
	scores := []float64{1, 2, 3, 4, 10, 20, 30, 40}
	pred := []int{0, 0, 0, 0, 1, 1, 1, 1}
	q := classQuantiles(scores, pred, 3, 0.5)
	// ceil(0.5*5) = 3rd smallest
	if !slices.Equal(q, []float64{3, 30, 40}) {
		t.Errorf("quantiles %v, want [3 30 40]", q)
	}
	got := perClass([]float64{3, 30, 80}, []int{0, 1, 2}, q)
	if !slices.Equal(got, []float64{1, 1, 2}) {
		t.Errorf("perClass %v, want [1 1 2]", got)
	}
}

func TestCheckValidationRefusesNoValidationImages(t *testing.T) {
	// 3 classes x 4 images; classes 0 and 2 known.
	g := &data.GraySet{ClassNames: []string{"a", "b", "c"}, Pix: make([]uint8, 12*data.Pixels)}
	for i := range 12 {
		g.Labels = append(g.Labels, i%3)
	}
	known := []int{0, 2}
	if err := checkValidation(g, known, 3, 200, pickClasses(g, known, 3, 200)); err != nil {
		t.Fatalf("one validation image per class: %v", err)
	}
	err := checkValidation(g, known, 4, 200, pickClasses(g, known, 4, 200))
	if err == nil || !strings.Contains(err.Error(), `class "a" has 4 training images`) || !strings.Contains(err.Error(), "train on 1 per class or fewer") {
		t.Fatalf("per-class 4 of 4: got %v", err)
	}
}

// TestRotationScoreHelpers: the variant's folder names the rotation
// weight; the sum score is appended once after "rotation".
func TestRotationScoreHelpers(t *testing.T) {
	if got := (OpenSetVariant{DC: 1.7, RotationHead: 0.5}).dir(); got != "ceg-distance-v-dc1.7-rot0.5" {
		t.Errorf("dir %q", got)
	}
	if got := (OpenSetVariant{RotationHead: 0.5, RotationHidden: 64}).dir(); got != "ceg-distance-v-rot0.5-rh64" {
		t.Errorf("dir %q", got)
	}
	s := withRotationScores([]string{ScoreMSP, ScoreMLS})
	if !slices.Equal(s, []string{ScoreMSP, ScoreMLS, ScoreRotation, "MSP + rotation"}) || len(withRotationScores(s)) != len(s) {
		t.Errorf("scores %q", s)
	}
}
