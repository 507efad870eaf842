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
	if err == nil || !strings.Contains(err.Error(), `class "a" has 4 training images`) || !strings.Contains(err.Error(), "--per-class 1 or fewer") {
		t.Fatalf("per-class 4 of 4: got %v", err)
	}
}
