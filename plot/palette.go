package plot

import "image/color"

// classColors is the class palette: the Okabe-Ito colours (without black,
// which marks the configured centres), then three of Paul Tol's muted
// colours, so that up to 10 classes stay apart for the common forms of
// colour blindness. Class i uses colour i mod 10; each further block of ten
// also changes the marker shape (see ClassGlyph).
var classColors = [...]color.RGBA{
	{0x00, 0x72, 0xB2, 0xFF}, // blue
	{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	{0xE6, 0x9F, 0x00, 0xFF}, // orange
	{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	{0xF0, 0xE4, 0x42, 0xFF}, // yellow
	{0x88, 0x22, 0x55, 0xFF}, // wine (Tol)
	{0x99, 0x99, 0x33, 0xFF}, // olive (Tol)
	{0x33, 0x22, 0x88, 0xFF}, // indigo (Tol)
}

// PaletteSize is the number of distinct class colours before they cycle.
const PaletteSize = len(classColors)

// unlabeledColor is the colour of points whose label is -1.
var unlabeledColor = color.RGBA{0x99, 0x99, 0x99, 0xFF}

// ClassColor returns the colour of class i (i >= 0); colours cycle after
// PaletteSize classes. A negative i (unlabeled) is grey.
func ClassColor(i int) color.Color {
	if i < 0 {
		return unlabeledColor
	}
	return classColors[i%PaletteSize]
}

// classShape returns the marker shape of class i: circles for the first
// PaletteSize classes, then squares, triangles and diamonds, so classes
// that share a colour after the palette cycles still differ.
func classShape(i int) shape {
	if i < 0 {
		return shapeCircle
	}
	return []shape{shapeCircle, shapeSquare, shapeTriangle, shapeDiamond}[(i/PaletteSize)%4]
}

// Grey shades used across the figures.
var (
	black         = color.RGBA{0, 0, 0, 0xFF}
	white         = color.RGBA{0xFF, 0xFF, 0xFF, 0xFF}
	prohibitedCol = color.RGBA{0xDD, 0xDD, 0xDD, 0xFF}
	noteColor     = color.RGBA{0x80, 0x20, 0x20, 0xFF}
	frameColor    = color.RGBA{0x60, 0x60, 0x60, 0xFF}
)
