package plot

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"os"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"

	"github.com/lsconf/lsconf/internal/atomicfile"
)

// ImageSide is the side, in pixels, of the images Gray32 reads: the
// project's 32x32 grayscale convention.
const ImageSide = 32

// Gray32 turns 32x32 grayscale pixels, float32 in [0, 1], row-major (the
// project's image convention), into an image. Values outside [0, 1] are
// clipped; a NaN or a length other than 32*32 is an error.
func Gray32(pix []float32) (*image.Gray, error) {
	return GrayImage(pix, ImageSide, ImageSide)
}

// GrayImage is Gray32 for any w x h row-major float32 pixels in [0, 1].
func GrayImage(pix []float32, w, h int) (*image.Gray, error) {
	if w <= 0 || h <= 0 || len(pix) != w*h {
		return nil, fmt.Errorf("gray image: %d pixels for %d x %d", len(pix), w, h)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range pix {
		if math.IsNaN(float64(v)) {
			return nil, fmt.Errorf("gray image: pixel %d (x %d, y %d) is NaN", i, i%w, i/w)
		}
		img.Pix[(i/w)*img.Stride+i%w] = uint8(math.Round(float64(min(max(v, 0), 1)) * 255))
	}
	return img, nil
}

// SavePNG writes img to path as a PNG, through a temporary file in the same
// directory and a rename; missing parent directories are created.
func SavePNG(img image.Image, path string) error {
	var buf bytes.Buffer
	if err := encodePNG(&buf, img); err != nil {
		return fmt.Errorf("save %s: %w", path, err)
	}
	return atomicfile.Write(path, buf.Bytes())
}

// LoadPNG reads a PNG file, e.g. a figure written by Save, to compose it
// into a Grid.
func LoadPNG(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	return img, nil
}

// encodePNG writes img as a PNG with the default compression.
func encodePNG(w io.Writer, img image.Image) error {
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("encode png: %w", err)
	}
	return nil
}

// upscale returns img scaled to fit a side x side square by an integer or
// fractional nearest-neighbour factor, keeping the aspect ratio (pixels stay
// sharp, as in the paper's result grids).
func upscale(img image.Image, side int) *image.RGBA {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 {
		return image.NewRGBA(image.Rect(0, 0, side, side))
	}
	s := float64(side) / float64(max(w, h))
	ow, oh := max(1, int(math.Round(float64(w)*s))), max(1, int(math.Round(float64(h)*s)))
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := 0; y < oh; y++ {
		sy := b.Min.Y + min(h-1, int(float64(y)/s))
		for x := 0; x < ow; x++ {
			sx := b.Min.X + min(w-1, int(float64(x)/s))
			out.Set(x, y, img.At(sx, sy))
		}
	}
	return out
}

// rasterText draws text on raster images with the Liberation Sans font that
// gonum/plot bundles (no system fonts, no network).
type rasterText struct {
	face xfont.Face
}

// newRasterText returns a writer whose text is px pixels high (the font
// size at 72 dpi).
func newRasterText(px float64) rasterText {
	f := gplot.DefaultTextHandler.Cache().Lookup(font.Font{Typeface: "Liberation", Variant: "Sans"}, font.Length(px))
	return rasterText{face: f.FontFace(72)}
}

// width is the advance of s in pixels.
func (t rasterText) width(s string) int {
	return xfont.MeasureString(t.face, s).Ceil()
}

// height is the line height (ascent + descent) in pixels.
func (t rasterText) height() int {
	m := t.face.Metrics()
	return (m.Ascent + m.Descent).Ceil()
}

// draw writes s with its top-left corner at (x, y).
func (t rasterText) draw(dst draw.Image, x, y int, s string, c color.Color) {
	d := xfont.Drawer{Dst: dst, Src: image.NewUniform(c), Face: t.face,
		Dot: fixed.Point26_6{X: fixed.I(x), Y: fixed.I(y) + t.face.Metrics().Ascent}}
	d.DrawString(s)
}

// drawCentered writes s centred horizontally on cx, top at y.
func (t rasterText) drawCentered(dst draw.Image, cx, y int, s string, c color.Color) {
	t.draw(dst, cx-t.width(s)/2, y, s, c)
}

// fit shortens s with a trailing ellipsis until it is at most w pixels wide.
func (t rasterText) fit(s string, w int) string {
	if t.width(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 {
		r = r[:len(r)-1]
		if c := string(r) + "…"; t.width(c) <= w {
			return c
		}
	}
	return ""
}

// wrap splits s into lines at most w pixels wide, breaking at spaces (a
// single word wider than w is shortened with fit).
func (t rasterText) wrap(s string, w int) []string {
	var lines []string
	line := ""
	for _, word := range splitWords(s) {
		switch {
		case line == "":
			line = word
		case t.width(line+" "+word) <= w:
			line += " " + word
		default:
			lines = append(lines, t.fit(line, w))
			line = word
		}
	}
	if line != "" {
		lines = append(lines, t.fit(line, w))
	}
	return lines
}

// splitWords splits s at runs of spaces.
func splitWords(s string) []string {
	var out []string
	word := []rune{}
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' {
			if len(word) > 0 {
				out = append(out, string(word))
				word = word[:0]
			}
			continue
		}
		word = append(word, r)
	}
	if len(word) > 0 {
		out = append(out, string(word))
	}
	return out
}

// fillRect paints r with c.
func fillRect(dst draw.Image, r image.Rectangle, c color.Color) {
	draw.Draw(dst, r, image.NewUniform(c), image.Point{}, draw.Src)
}

// strokeRect draws a 1-pixel outline of r with c.
func strokeRect(dst draw.Image, r image.Rectangle, c color.Color) {
	fillRect(dst, image.Rect(r.Min.X, r.Min.Y, r.Max.X, r.Min.Y+1), c)
	fillRect(dst, image.Rect(r.Min.X, r.Max.Y-1, r.Max.X, r.Max.Y), c)
	fillRect(dst, image.Rect(r.Min.X, r.Min.Y, r.Min.X+1, r.Max.Y), c)
	fillRect(dst, image.Rect(r.Max.X-1, r.Min.Y, r.Max.X, r.Max.Y), c)
}
