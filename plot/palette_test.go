package plot

import (
	"image/color"
	"strings"
	"testing"
)

func TestPalette(t *testing.T) {
	rgb := func(c color.Color) [3]int {
		r, g, b, _ := c.RGBA()
		return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
	}
	for i := 0; i < PaletteSize; i++ {
		a := rgb(ClassColor(i))
		if a == [3]int{0, 0, 0} || a == rgb(ClassColor(-1)) {
			t.Errorf("class %d uses black or the unlabeled grey", i)
		}
		for j := i + 1; j < PaletteSize; j++ {
			b := rgb(ClassColor(j))
			d := abs(a[0]-b[0]) + abs(a[1]-b[1]) + abs(a[2]-b[2])
			if d < 60 {
				t.Errorf("classes %d and %d too close: %v %v", i, j, a, b)
			}
		}
		if ClassColor(i+PaletteSize) != ClassColor(i) || classShape(i+PaletteSize) == classShape(i) {
			t.Errorf("class %d and %d: colours should cycle and shapes differ", i, i+PaletteSize)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{
		{-2, 2, "-2 -1 0 1 2"},
		{-40, 40, "-40 -20 0 20 40"},
		{0, 0.3, "0 0.05 0.1 0.15 0.2 0.25 0.3"},
		{1, 30, "5 10 15 20 25 30"},
	} {
		var got []string
		for _, tk := range niceTicks(tc.lo, tc.hi, 6) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if s := strings.Join(got, " "); s != tc.want {
			t.Errorf("ticks [%g, %g]: %q, want %q", tc.lo, tc.hi, s, tc.want)
		}
	}
}
