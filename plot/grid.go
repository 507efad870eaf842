package plot

import (
	"fmt"
	"image"
	"image/draw"

	xdraw "golang.org/x/image/draw"
)

// GridSpec describes a grid of already-rendered figures with captions,
// e.g. the 12 LS scatters of the repro (3 seeds x {pre, post} x {ce,
// ce+g}, like paper Figures 7-9).
type GridSpec struct {
	// Title is a line above the grid ("" for none).
	Title string
	// Cells are the rows of the grid; a nil image leaves its cell blank.
	// Rows may have different lengths.
	Cells [][]image.Image
	// RowCaptions, when set, has one caption per row, drawn left of it.
	RowCaptions []string
	// ColCaptions, when set, has one caption per column, drawn above it.
	ColCaptions []string
	// MaxCellWidth, when > 0, scales every image by one common factor so
	// that the widest is MaxCellWidth pixels wide (never enlarging;
	// Catmull-Rom resampling), so figures of one kind keep one scale; 0
	// keeps natural sizes.
	MaxCellWidth int
	// Gap is the space between cells in pixels; 0 means 8.
	Gap int
	// FontPx is the caption height in pixels; 0 means 18.
	FontPx float64
}

// Grid composes images into one: column j is as wide as its widest
// image, row i as tall as its tallest, images are centred in their cells.
// Its size is 2*margin + row-caption width + sum of column widths + gaps,
// by 2*margin + title + column-caption height + sum of row heights + gaps.
func Grid(s GridSpec) (*image.RGBA, error) {
	if len(s.Cells) == 0 {
		return nil, fmt.Errorf("figure grid: no rows")
	}
	ncols := 0
	for _, row := range s.Cells {
		ncols = max(ncols, len(row))
	}
	if ncols == 0 {
		return nil, fmt.Errorf("figure grid: no columns")
	}
	if s.RowCaptions != nil && len(s.RowCaptions) != len(s.Cells) {
		return nil, fmt.Errorf("figure grid: %d row captions for %d rows", len(s.RowCaptions), len(s.Cells))
	}
	if s.ColCaptions != nil && len(s.ColCaptions) != ncols {
		return nil, fmt.Errorf("figure grid: %d column captions for %d columns", len(s.ColCaptions), ncols)
	}
	if s.MaxCellWidth < 0 || s.MaxCellWidth > 8192 || s.Gap < 0 || s.Gap > 1000 || s.FontPx < 0 || s.FontPx > 200 {
		return nil, fmt.Errorf("figure grid: max cell width %d, gap %d or font %g px out of range", s.MaxCellWidth, s.Gap, s.FontPx)
	}
	gap := s.Gap
	if gap == 0 {
		gap = 8
	}
	fontPx := s.FontPx
	if fontPx == 0 {
		fontPx = 18
	}
	txt := newRasterText(fontPx)
	head := newRasterText(fontPx * 1.2)

	factor := 1.0
	if s.MaxCellWidth > 0 {
		widest := 0
		for _, row := range s.Cells {
			for _, im := range row {
				if im != nil {
					widest = max(widest, im.Bounds().Dx())
				}
			}
		}
		if widest > s.MaxCellWidth {
			factor = float64(s.MaxCellWidth) / float64(widest)
		}
	}
	cells := make([][]image.Image, len(s.Cells))
	colW := make([]int, ncols)
	rowH := make([]int, len(s.Cells))
	for i, row := range s.Cells {
		cells[i] = make([]image.Image, len(row))
		for j, im := range row {
			if im == nil {
				continue
			}
			if b := im.Bounds(); b.Dx() <= 0 || b.Dy() <= 0 {
				return nil, fmt.Errorf("figure grid: cell (%d, %d) is empty (%v)", i, j, b)
			}
			if factor != 1 {
				im = scaleBy(im, factor)
			}
			cells[i][j] = im
			colW[j] = max(colW[j], im.Bounds().Dx())
			rowH[i] = max(rowH[i], im.Bounds().Dy())
		}
	}
	for j := range colW {
		if colW[j] == 0 {
			colW[j] = 1
		}
	}
	capW := 0
	for _, c := range s.RowCaptions {
		capW = max(capW, txt.width(c))
	}
	if capW > 0 {
		capW += 2 * gap
	}
	capH := 0
	if s.ColCaptions != nil {
		capH = txt.height() + gap
	}
	titleH := 0
	if s.Title != "" {
		titleH = head.height() + gap
	}
	const margin = 10
	w := 2*margin + capW + sum(colW) + gap*(ncols-1)
	h := 2*margin + titleH + capH + sum(rowH) + gap*(len(rowH)-1)
	if s.Title != "" {
		w = max(w, 2*margin+head.width(s.Title))
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(out, out.Bounds(), white)
	if s.Title != "" {
		head.drawCentered(out, w/2, margin, s.Title, black)
	}
	x0, y0 := margin+capW, margin+titleH+capH
	for j, c := range s.ColCaptions {
		x := x0 + sum(colW[:j]) + gap*j
		txt.drawCentered(out, x+colW[j]/2, margin+titleH, txt.fit(c, colW[j]), black)
	}
	for i, row := range cells {
		y := y0 + sum(rowH[:i]) + gap*i
		if s.RowCaptions != nil {
			txt.draw(out, margin, y+rowH[i]/2-txt.height()/2, s.RowCaptions[i], black)
		}
		for j, im := range row {
			if im == nil {
				continue
			}
			x := x0 + sum(colW[:j]) + gap*j
			b := im.Bounds()
			at := image.Pt(x+(colW[j]-b.Dx())/2, y+(rowH[i]-b.Dy())/2)
			draw.Draw(out, image.Rectangle{Min: at, Max: at.Add(b.Size())}, im, b.Min, draw.Src)
		}
	}
	return out, nil
}

// scaleBy resamples im by factor f (both sides rounded, at least 1 px).
func scaleBy(im image.Image, f float64) image.Image {
	b := im.Bounds()
	w := max(1, int(float64(b.Dx())*f+0.5))
	h := max(1, int(float64(b.Dy())*f+0.5))
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.CatmullRom.Scale(out, out.Bounds(), im, b, draw.Src, nil)
	return out
}

// sum adds up xs.
func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
