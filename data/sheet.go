package data

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Contact sheet layout, in pixels.
const (
	sheetLabelW = 72
	sheetGap    = 2
	sheetCell   = BaseSize // one image cell (32x32 images drawn at 2x)
)

// ContactSheet draws up to cols images of each class of b so that a person
// can check the set at a glance: per class, a row of the colour base
// images and below it the same images as the model sees them (grayscale
// Size x Size, drawn at 2x), labelled with the class name and count.
func ContactSheet(b *Base, cols int) *image.RGBA { return contactSheet(b, cols, b.Counts()) }

// contactSheet is ContactSheet with the class counts given (a streamed
// set keeps only the images it shows).
func contactSheet(b *Base, cols int, counts []int) *image.RGBA {
	if cols <= 0 {
		cols = 12
	}
	byClass := make([][]int, len(b.ClassNames))
	for i, l := range b.Labels {
		if len(byClass[l]) < cols {
			byClass[l] = append(byClass[l], i)
		}
	}
	rowH := 2*sheetCell + 3*sheetGap
	sheet := newSheet(cols, len(b.ClassNames)*rowH+sheetGap)
	gray := make([]float32, Pixels)
	for c, idx := range byClass {
		y0 := c*rowH + sheetGap
		drawLabel(sheet, 4, y0+sheetCell-6, b.ClassNames[c])
		drawLabel(sheet, 4, y0+sheetCell+10, fmt.Sprintf("n=%d", counts[c]))
		for k, i := range idx {
			x0 := sheetLabelW + k*(sheetCell+sheetGap)
			draw.Draw(sheet, image.Rect(x0, y0, x0+sheetCell, y0+sheetCell), b.RGBA(i), image.Point{}, draw.Src)
			grayHalf(b.RGB[i], gray)
			drawGray2x(sheet, x0, y0+sheetCell+sheetGap, gray)
		}
	}
	return sheet
}

// SetSheet draws up to cols images of each class of any Set (e.g. an
// augmented split), as the model sees them (grayscale, drawn at 2x), one
// row per class, taking the first images of each class in index order
// from the first limit images (limit <= 0: all).
func SetSheet(s Set, cols, limit int) (*image.RGBA, error) {
	if cols <= 0 {
		cols = 12
	}
	classes := s.Classes()
	n := s.Len()
	if limit > 0 && limit < n {
		n = limit
	}
	pix := make([][][]float32, len(classes))
	full := 0
	for i := 0; i < n && full < len(classes); i++ {
		dst := make([]float32, Pixels)
		l, err := s.Image(i, dst)
		if err != nil {
			return nil, fmt.Errorf("sheet: %w", err)
		}
		if l < 0 || l >= len(classes) || len(pix[l]) >= cols {
			continue
		}
		pix[l] = append(pix[l], dst)
		if len(pix[l]) == cols {
			full++
		}
	}
	rowH := sheetCell + sheetGap
	sheet := newSheet(cols, len(classes)*rowH+sheetGap)
	for c, imgs := range pix {
		y0 := c*rowH + sheetGap
		drawLabel(sheet, 4, y0+sheetCell/2+4, classes[c])
		for k, p := range imgs {
			drawGray2x(sheet, sheetLabelW+k*(sheetCell+sheetGap), y0, p)
		}
	}
	return sheet, nil
}

func newSheet(cols, h int) *image.RGBA {
	w := sheetLabelW + cols*(sheetCell+sheetGap)
	sheet := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.RGBA{255, 255, 255, 255}), image.Point{}, draw.Src)
	return sheet
}

// drawGray2x draws a Size x Size gray image at twice its size.
func drawGray2x(dst *image.RGBA, x0, y0 int, pix []float32) {
	for y := 0; y < 2*Size; y++ {
		for x := 0; x < 2*Size; x++ {
			v := uint8(min(max(pix[(y/2)*Size+x/2], 0), 1)*255 + 0.5)
			dst.SetRGBA(x0+x, y0+y, color.RGBA{v, v, v, 255})
		}
	}
}

func drawLabel(dst *image.RGBA, x, y int, s string) {
	d := font.Drawer{Dst: dst, Src: image.NewUniform(color.RGBA{0, 0, 0, 255}), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
