package search

import (
	"strings"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// TestWeightsBounded: huge, infinite or NaN weights are
// refused with a message instead of giving a wrong point.
func TestWeightsBounded(t *testing.T) {
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVocab(l, []string{"dots", "squares", "uniform"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"1e308 dots + 1e308 squares", "1e7 dots + 1 squares", "inf dots + 1 squares", "nan dots + 1 squares", "-1 dots + 2 squares"} {
		if tg, err := v.Parse(q, false, 0); err == nil {
			t.Errorf("%q accepted: point %v", q, tg.Point)
		} else if len(err.Error()) > 2000 {
			t.Errorf("%q: %d-byte error", q, len(err.Error()))
		}
	}
	tg, err := v.Parse("1e6 dots + 1e6 squares", false, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Equal weights: the midpoint of the two centres.
	c0, c1 := l.Center(0), l.Center(1)
	for k := range tg.Point {
		if d := tg.Point[k] - (c0[k]+c1[k])/2; d > 1e-12 || d < -1e-12 {
			t.Fatalf("1e6 dots + 1e6 squares: point %v, want the midpoint", tg.Point)
		}
	}
	if _, err := v.Parse("1e308 dots + 1e308 squares", false, 0); !strings.Contains(err.Error(), "limit") {
		t.Errorf("message %q does not name the limit", err)
	}
}
