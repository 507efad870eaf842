package plot

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
)

// Tile is one image of a result grid.
type Tile struct {
	// Image is drawn upscaled by nearest neighbour (pixels stay sharp).
	Image image.Image
	// Score is printed with 3 decimals under the image; NaN prints none.
	Score float64
	// Caption is a second line under the image, e.g. the label or the
	// collection ("" for none); shortened with "…" to fit.
	Caption string
}

// ResultGridSpec describes a query and its top-k results (paper Figures
// 10-13).
type ResultGridSpec struct {
	// Title is a line above the grid ("" for none).
	Title string
	// Query is an image query, drawn first and headed "query", with its
	// Caption underneath (its Score is not printed).
	Query *Tile
	// QueryText is a text query, drawn first as a caption box with the
	// words and, when QueryPoint is set, the LS point they map to. At most
	// one of Query and QueryText may be set; with neither, the grid holds
	// the results only.
	QueryText  string
	QueryPoint []float64
	// Results are drawn in rank order, numbered from 1.
	Results []Tile
	// CellPx is the side of each upscaled image in pixels; 0 means 96.
	CellPx int
	// PerRow is the number of results per row; 0 means 10.
	PerRow int
}

// ResultGrid draws a query and its results as one image: the query in the
// first column, then the results, each upscaled to CellPx with its rank,
// score (3 decimals) and caption underneath. An empty result list gives a
// grid with the note "no results".
func ResultGrid(s ResultGridSpec) (*image.RGBA, error) {
	cell := s.CellPx
	if cell == 0 {
		cell = 96
	}
	if cell < 16 || cell > 1024 {
		return nil, fmt.Errorf("result grid: cell size %d px must be in [16, 1024]", s.CellPx)
	}
	perRow := s.PerRow
	if perRow == 0 {
		perRow = 10
	}
	if perRow < 1 {
		return nil, fmt.Errorf("result grid: %d results per row", s.PerRow)
	}
	if s.Query != nil && s.QueryText != "" {
		return nil, fmt.Errorf("result grid: both an image query and a text query")
	}
	if s.Query != nil && s.Query.Image == nil {
		return nil, fmt.Errorf("result grid: query tile without an image")
	}
	for i, r := range s.Results {
		if r.Image == nil {
			return nil, fmt.Errorf("result grid: result %d has no image", i+1)
		}
		if b := r.Image.Bounds(); b.Dx() <= 0 || b.Dy() <= 0 {
			return nil, fmt.Errorf("result grid: result %d image is empty (%v)", i+1, b)
		}
	}
	for _, x := range s.QueryPoint {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("result grid: query point %v is not finite", s.QueryPoint)
		}
	}

	fontPx := math.Max(9, math.Min(16, float64(cell)/7.5))
	txt := newRasterText(fontPx)
	small := newRasterText(fontPx * 0.9)
	head := newRasterText(fontPx * 1.15)
	lineH := txt.height() + 2
	margin, gap := 8, 6
	sep := 18 // between the query column and the results
	hasQuery := s.Query != nil || s.QueryText != ""
	cols := min(perRow, max(1, len(s.Results)))
	rows := max(1, (len(s.Results)+perRow-1)/perRow)
	tileH := lineH + cell + 2*lineH // heading or rank line, image, score, caption
	titleH := 0
	if s.Title != "" {
		titleH = head.height() + 8
	}
	qW := 0
	if hasQuery {
		qW = cell + sep
	}
	qH := 0 // height of the query's box
	if s.Query != nil {
		qH = cell
	} else if s.QueryText != "" {
		qH = textBoxHeight(cell, s.QueryText, s.QueryPoint, txt, small)
	}
	w := 2*margin + qW + cols*cell + (cols-1)*gap
	h := 2*margin + titleH + max(rows*tileH+(rows-1)*gap, lineH+qH+lineH)
	if s.Title != "" {
		w = max(w, 2*margin+head.width(s.Title))
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fillRect(img, img.Bounds(), white)
	if s.Title != "" {
		head.draw(img, margin, margin, head.fit(s.Title, w-2*margin), black)
	}
	top := margin + titleH
	x0 := margin + qW
	if hasQuery {
		txt.draw(img, margin, top, "query", black)
		box := image.Rect(margin, top+lineH, margin+cell, top+lineH+qH)
		if s.Query != nil {
			drawTileImage(img, box, s.Query.Image)
			small.draw(img, margin, box.Max.Y+2, small.fit(s.Query.Caption, cell), frameColor)
		} else {
			textBox(img, box, s.QueryText, s.QueryPoint, txt, small)
		}
		// A vertical rule between the query and the results.
		xr := margin + cell + sep/2
		fillRect(img, image.Rect(xr, top, xr+1, h-margin), color.RGBA{0xBB, 0xBB, 0xBB, 0xFF})
	}
	if len(s.Results) == 0 {
		txt.draw(img, x0, top+lineH+cell/2-lineH/2, "no results", noteColor)
	}
	for i, r := range s.Results {
		row, col := i/perRow, i%perRow
		x := x0 + col*(cell+gap)
		y := top + row*(tileH+gap)
		rank := fmt.Sprintf("%d", i+1)
		txt.draw(img, x, y, rank, frameColor)
		box := image.Rect(x, y+lineH, x+cell, y+lineH+cell)
		drawTileImage(img, box, r.Image)
		if !math.IsNaN(r.Score) {
			txt.draw(img, x, box.Max.Y+2, fmt.Sprintf("%.3f", r.Score), black)
		}
		small.draw(img, x, box.Max.Y+2+lineH, small.fit(r.Caption, cell), frameColor)
	}
	return img, nil
}

// drawTileImage upscales src by nearest neighbour into box (centred,
// aspect kept) with a thin grey frame.
func drawTileImage(dst *image.RGBA, box image.Rectangle, src image.Image) {
	up := upscale(src, box.Dx())
	off := image.Pt(box.Min.X+(box.Dx()-up.Bounds().Dx())/2, box.Min.Y+(box.Dy()-up.Bounds().Dy())/2)
	for y := 0; y < up.Bounds().Dy(); y++ {
		copy(dst.Pix[dst.PixOffset(off.X, off.Y+y):], up.Pix[up.PixOffset(0, y):up.PixOffset(up.Bounds().Dx(), y)])
	}
	strokeRect(dst, box.Inset(-1), color.RGBA{0xBB, 0xBB, 0xBB, 0xFF})
}

// textBoxHeight is the height of the caption box of a text query: at
// least cell, taller when the words need more lines.
func textBoxHeight(cell int, words string, point []float64, txt, small rasterText) int {
	h := 8 + len(txt.wrap(`"`+words+`"`, cell-8))*txt.height()
	if len(point) > 0 {
		h += 4 + 2*small.height()
	}
	return max(cell, h)
}

// textBox draws a text query: the words wrapped in a light box and the LS
// point under them.
func textBox(dst *image.RGBA, box image.Rectangle, words string, point []float64, txt, small rasterText) {
	fillRect(dst, box, color.RGBA{0xF2, 0xF2, 0xEA, 0xFF})
	strokeRect(dst, box, frameColor)
	inner := box.Dx() - 8
	y := box.Min.Y + 4
	for _, line := range txt.wrap(`"`+words+`"`, inner) {
		txt.draw(dst, box.Min.X+4, y, line, black)
		y += txt.height()
	}
	if len(point) == 0 {
		return
	}
	y = box.Max.Y - 4 - 2*small.height()
	small.draw(dst, box.Min.X+4, y, "LS point", frameColor)
	small.draw(dst, box.Min.X+4, y+small.height(), small.fit(formatPoint(point), inner), frameColor)
}

// formatPoint writes an LS point with 2 decimals, the first three
// coordinates only when there are more than four.
func formatPoint(p []float64) string {
	var parts []string
	for i, x := range p {
		if len(p) > 4 && i == 3 {
			parts = append(parts, "…")
			break
		}
		parts = append(parts, fmt.Sprintf("%.2f", x))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
