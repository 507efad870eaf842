package plot

import (
	"bytes"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/lsconf/lsconf/internal/atomicfile"
)

// DefaultDPI is the resolution of PNG files written by Save and
// (*Figure).WritePNG: 120 dots per inch.
const DefaultDPI = 120

// Figure is a vector drawing of a fixed size, made by one of the figure
// functions of this package (Scatter, FDCurve, TrainingCurves, Confusion).
// It is rendered only when written, so a Figure can be written several
// times and in several formats.
type Figure struct {
	// Width and Height are the size of the drawing.
	Width, Height vg.Length
	// Notes are remarks the figure function printed on the figure (points
	// skipped as non-finite, points outside the view, "no points"); they
	// are also here for the caller to log or test.
	Notes []string

	draw func(c draw.Canvas)
}

// newFigure returns a figure of the given size drawn by fn.
func newFigure(w, h vg.Length, notes []string, fn func(c draw.Canvas)) *Figure {
	return &Figure{Width: w, Height: h, Notes: notes, draw: fn}
}

// render draws the figure on c, turning a panic of the drawing library into
// an error.
func (f *Figure) render(c vg.CanvasSizer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("draw figure: %v", r)
		}
	}()
	f.draw(draw.New(c))
	return nil
}

// Image renders the figure as a raster image at dpi dots per inch (0 means
// DefaultDPI), e.g. to compose it into a Grid without going through a file.
func (f *Figure) Image(dpi int) (image.Image, error) {
	if dpi <= 0 {
		dpi = DefaultDPI
	}
	if f.Width <= 0 || f.Height <= 0 {
		return nil, fmt.Errorf("render figure: size %v x %v is not positive", f.Width, f.Height)
	}
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(dpi))
	if err := f.render(c); err != nil {
		return nil, err
	}
	return c.Image(), nil
}

// WritePNG writes the figure to w as a PNG at dpi dots per inch (0 means
// DefaultDPI).
func (f *Figure) WritePNG(w io.Writer, dpi int) error {
	img, err := f.Image(dpi)
	if err != nil {
		return err
	}
	return encodePNG(w, img)
}

// WriteSVG writes the figure to w as SVG. Text is written as text in the
// Liberation font family (not embedded; viewers fall back to a similar
// sans-serif face).
func (f *Figure) WriteSVG(w io.Writer) error {
	if f.Width <= 0 || f.Height <= 0 {
		return fmt.Errorf("render figure: size %v x %v is not positive", f.Width, f.Height)
	}
	c := vgsvg.New(f.Width, f.Height)
	if err := f.render(c); err != nil {
		return err
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("write svg: %w", err)
	}
	return nil
}

// Save writes the figure as base.png (at DefaultDPI) and base.svg. A
// ".png" or ".svg" extension on base is dropped first; missing parent
// directories are created. Each file is written to a temporary name in
// its directory and renamed, so a reader never sees half a file.
func Save(f *Figure, base string) error {
	if f == nil {
		return fmt.Errorf("save %s: nil figure", base)
	}
	base = trimExt(base)
	var png, svg bytes.Buffer
	if err := f.WritePNG(&png, DefaultDPI); err != nil {
		return fmt.Errorf("save %s.png: %w", base, err)
	}
	if err := f.WriteSVG(&svg); err != nil {
		return fmt.Errorf("save %s.svg: %w", base, err)
	}
	if err := atomicfile.Write(base+".png", png.Bytes()); err != nil {
		return err
	}
	return atomicfile.Write(base+".svg", svg.Bytes())
}

// trimExt drops a .png or .svg extension (any case) from base.
func trimExt(base string) string {
	switch strings.ToLower(filepath.Ext(base)) {
	case ".png", ".svg":
		return strings.TrimSuffix(base, filepath.Ext(base))
	}
	return base
}
