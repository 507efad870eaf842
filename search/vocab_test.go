package search

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

var paperClasses = []string{"uniform", "hlines", "vlines", "squares", "dots"}

func near(a, b []float64) bool {
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-12 {
			return false
		}
	}
	return true
}

func TestVocabSynonyms(t *testing.T) {
	l := paper(t)
	v, err := NewVocab(l, paperClasses)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]int{
		"uniform": 0, "plain": 0, "Solid": 0, "flat": 0,
		"horizontal stripes": 1, "Horizontal lines": 1, "hlines": 1, "horizontal-stripe": 1,
		"vertical stripes": 2, "vlines": 2,
		"checkered": 3, "checked": 3, "plaid": 3, "grid": 3, "gingham": 3, "squares": 3, "a plaid pattern": 3, "square": 3,
		"polka dots": 3 + 1, "dotted": 4, "spotted": 4, "dot": 4, "polka-dot fabric": 4,
	}
	for text, c := range cases {
		got, err := v.Parse(text, false, 1)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !near(got.Point, l.Center(c)) || len(got.Terms) != 1 || got.Terms[0].Class != paperClasses[c] {
			t.Fatalf("%q -> %+v, want the centre of %s", text, got, paperClasses[c])
		}
	}
}

func TestVocabBlendsAndRandom(t *testing.T) {
	l := paper(t)
	v, err := NewVocab(l, paperClasses)
	if err != nil {
		t.Fatal(err)
	}
	cs, cd := l.Center(3), l.Center(4)
	mid := []float64{(cs[0] + cd[0]) / 2, (cs[1] + cd[1]) / 2}
	for _, text := range []string{"between squares and dots", "between checkered and polka dots", "0.5 plaid + 0.5 dotted", "squares + dots", "mix of squares and dots"} {
		got, err := v.Parse(text, false, 1)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if !near(got.Point, mid) {
			t.Fatalf("%q -> %v, want the midpoint %v", text, got.Point, mid)
		}
	}
	got, err := v.Parse("0.7 squares + 0.3 dots", false, 1)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{0.7*cs[0] + 0.3*cd[0], 0.7*cs[1] + 0.3*cd[1]}
	if !near(got.Point, want) || got.Terms[0].Weight != 0.7 {
		t.Fatalf("weighted blend -> %+v, want %v", got, want)
	}
	// The blend point is between the clusters: both v entries positive.
	vv, _ := l.V(got.Point)
	if vv[3] <= vv[4] || vv[4] <= 0 {
		t.Fatalf("v of 0.7 squares + 0.3 dots = %v", vv)
	}
	// Random points: inside the cluster, different per seed, same per seed.
	seen := map[[2]float64]bool{}
	for seed := uint64(0); seed < 50; seed++ {
		a, err := v.Parse("random horizontal lines", false, seed)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := v.Parse("hlines", true, seed)
		if !a.Random || !near(a.Point, b.Point) {
			t.Fatalf("seed %d: %v vs %v", seed, a.Point, b.Point)
		}
		d, _ := l.Distances(a.Point)
		if d[1] > l.Radius(1) {
			t.Fatalf("random point %v at %v from hlines' centre, radius %v", a.Point, d[1], l.Radius(1))
		}
		seen[[2]float64{a.Point[0], a.Point[1]}] = true
	}
	if len(seen) < 45 {
		t.Fatalf("only %d distinct random points in 50 seeds", len(seen))
	}
}

func TestVocabUnknownAndUserClasses(t *testing.T) {
	l := paper(t)
	v, _ := NewVocab(l, paperClasses)
	for _, text := range []string{"leopard print", "zebra", "", "between plaid and zebra", "0.5 plaid + -1 dots"} {
		_, err := v.Parse(text, false, 1)
		if err == nil {
			t.Fatalf("%q: no error", text)
		}
		if text == "zebra" && (!errors.Is(err, ErrUnknownWords) || !strings.Contains(err.Error(), "plaid") || !strings.Contains(err.Error(), "uniform")) {
			t.Fatalf("%q: %v, want an unknown-words error listing the known words", text, err)
		}
	}
	// A user dataset with other classes: class names are words, the
	// texture synonyms of absent classes are dropped, a user file adds more.
	l3, err := latent.Circle(3, 0.85, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	user := "kitty, kitten = cat\nmutt = dog\npet = between cat and dog\nbroken = zebra\n"
	v3, err := NewVocab(l3, []string{"cat", "Dog", "bird"}, user)
	if err != nil {
		t.Fatal(err)
	}
	for text, c := range map[string]int{"cat": 0, "kitten": 0, "dog": 1, "mutt": 1, "BIRD": 2, "birds": 2} {
		got, err := v3.Parse(text, false, 1)
		if err != nil || !near(got.Point, l3.Center(c)) {
			t.Fatalf("%q -> %+v %v", text, got, err)
		}
	}
	if _, err := v3.Parse("pet", false, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := v3.Parse("plaid", false, 1); !errors.Is(err, ErrUnknownWords) {
		t.Fatalf("plaid without a squares class: %v", err)
	}
	for _, k := range v3.Known() {
		if k == "broken" || k == "plaid" {
			t.Fatalf("known words include unresolvable %q: %v", k, v3.Known())
		}
	}
	if _, err := NewVocab(l3, []string{"cat", "dog", "bird"}, "no equals sign here"); err == nil {
		t.Fatal("bad vocabulary line: no error")
	}
}

// TestExamplesFromOwnVocabulary: the placeholder examples come from the
// index's own classes and vocabulary (no "plaid" on another set's
// index), and every one of them parses.
func TestExamplesFromOwnVocabulary(t *testing.T) {
	for _, c := range []struct {
		name    string
		classes []string
		want    []string
		not     string
	}{
		{"built-in", []string{"dots", "hlines", "squares", "uniform", "vlines"}, []string{"polka dots", "horizontal lines", "between uniform and vlines", "0.7 uniform + 0.3 dots"}, ""},
		{"fashion-mnist", []string{"T-shirt-top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}, nil, "plaid"},
	} {
		t.Run(c.name, func(t *testing.T) {
			l, err := latent.SpreadAuto(len(c.classes), max(2, len(c.classes)-1), latent.PaperDC)
			if len(c.classes) <= 5 {
				l, err = latent.Circle(len(c.classes), latent.PaperDC, latent.PaperRC)
			}
			if err != nil {
				t.Fatal(err)
			}
			v, err := NewVocab(l, c.classes)
			if err != nil {
				t.Fatal(err)
			}
			ex := v.Examples()
			if c.want != nil && !slices.Equal(ex, c.want) {
				t.Errorf("examples %q, want %q", ex, c.want)
			}
			if len(ex) < 3 {
				t.Errorf("examples %q: too few", ex)
			}
			for _, e := range ex {
				if c.not != "" && strings.Contains(e, c.not) {
					t.Errorf("example %q on an index of %q", e, c.classes)
				}
				if _, err := v.Parse(e, false, 1); err != nil {
					t.Errorf("example %q does not parse: %v", e, err)
				}
			}
		})
	}
}
