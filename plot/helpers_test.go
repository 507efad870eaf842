package plot

import (
	"image"
	"image/color"
	"math"
	"testing"

	"gonum.org/v1/plot/vg"
)

// testDPI is the resolution the pixel tests render at: 2 pixels a point,
// so thin lines have a dark core.
const testDPI = 144

// testScale is pixels per point at testDPI.
const testScale = testDPI / 72.0

// render rasterises fig at testDPI.
func render(t *testing.T, fig *Figure) image.Image {
	t.Helper()
	img, err := fig.Image(testDPI)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	return img
}

// pixel returns the colour of img at figure point p (origin bottom-left).
func pixel(img image.Image, p vg.Point) color.RGBA {
	b := img.Bounds()
	x := int(math.Floor(float64(p.X) * testScale))
	y := b.Dy() - 1 - int(math.Floor(float64(p.Y)*testScale))
	r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
}

// dataPoint maps LS plane coordinates to figure points for a scatter.
func dataPoint(g scatterGeom, half, x, y float64) vg.Point {
	side := g.data.Max.X - g.data.Min.X
	return vg.Point{
		X: g.data.Min.X + vg.Length((x+half)/(2*half))*side,
		Y: g.data.Min.Y + vg.Length((y+half)/(2*half))*(g.data.Max.Y-g.data.Min.Y),
	}
}

// isWhite, isDark and isGrey classify pixels.
func isWhite(c color.RGBA) bool { return c.R > 245 && c.G > 245 && c.B > 245 }
func isDark(c color.RGBA) bool  { return int(c.R)+int(c.G)+int(c.B) < 3*110 }
func isGrey(c color.RGBA, v uint8) bool {
	d := func(a uint8) int { return int(a) - int(v) }
	return abs(d(c.R)) <= 3 && abs(d(c.G)) <= 3 && abs(d(c.B)) <= 3
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// darkNear reports whether a pixel within d points of p is dark.
func darkNear(img image.Image, p vg.Point, d float64) bool {
	for dx := -d; dx <= d; dx += 0.5 {
		for dy := -d; dy <= d; dy += 0.5 {
			if isDark(pixel(img, vg.Point{X: p.X + vg.Length(dx), Y: p.Y + vg.Length(dy)})) {
				return true
			}
		}
	}
	return false
}
