package plot

import (
	"image/color"
	"path/filepath"
	"testing"

	"gonum.org/v1/plot/vg"
)

func TestConfusion(t *testing.T) {
	names := []string{"uniform", "hlines", "vlines"}
	counts := [][]int{{8, 2, 0}, {0, 1, 0}, {0, 0, 0}}
	fig, err := Confusion(ConfusionSpec{Title: "gen", Classes: names, Counts: counts})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Save(fig, filepath.Join(dir, "cm")); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, fig, filepath.Join(dir, "cm"))

	// Shading is row-normalised: the lone count of row 1 (1 of 1) is as
	// dark as it gets, darker than the 8 of 10 in row 0; the empty row is
	// white.
	if shade(1) != (color.RGBA{0x08, 0x30, 0x6B, 0xFF}) || shade(0) != white {
		t.Fatalf("shade(1) = %v, shade(0) = %v", shade(1), shade(0))
	}
	m, err := newMatrix(ConfusionSpec{Title: "gen", Classes: names, Counts: counts})
	if err != nil {
		t.Fatal(err)
	}
	if m.w != fig.Width || m.h != fig.Height {
		t.Fatalf("layout %v x %v, figure %v x %v", m.w, m.h, fig.Width, fig.Height)
	}
	img := render(t, fig)
	cellColour := func(ti, pi int) color.RGBA {
		// Sample each cell near its top-left corner, away from the text.
		return pixel(img, vg.Point{X: m.x0 + m.cell*vg.Length(pi) + 4, Y: m.y1 - m.cell*vg.Length(ti) - 4})
	}
	lum := func(c color.RGBA) int { return int(c.R) + int(c.G) + int(c.B) }
	if a, b := cellColour(1, 1), cellColour(0, 0); lum(a) >= lum(b) {
		t.Errorf("cell [1][1] (share 1) %v not darker than [0][0] (share 0.8) %v", a, b)
	}
	if c := cellColour(2, 2); !isWhite(c) {
		t.Errorf("empty row cell %v, want white", c)
	}
	if c := cellColour(0, 2); !isWhite(c) {
		t.Errorf("zero cell %v, want white", c)
	}
	if c, want := cellColour(0, 1), shade(0.2).(color.RGBA); abs(int(c.R)-int(want.R)) > 2 || abs(int(c.B)-int(want.B)) > 2 {
		t.Errorf("cell [0][1] (share 0.2) %v, want %v", c, want)
	}

	for name, bad := range map[string]ConfusionSpec{
		"no-classes": {},
		"rows":       {Classes: names, Counts: counts[:2]},
		"cols":       {Classes: names, Counts: [][]int{{1, 2, 3}, {1, 2}, {1, 2, 3}}},
		"negative":   {Classes: names, Counts: [][]int{{1, 2, 3}, {1, -2, 0}, {1, 2, 3}}},
	} {
		if _, err := Confusion(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
