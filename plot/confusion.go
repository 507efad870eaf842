package plot

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// ConfusionSpec describes a confusion-matrix heatmap.
type ConfusionSpec struct {
	// Title is drawn above the matrix ("" for none).
	Title string
	// Classes names the rows and columns.
	Classes []string
	// Counts[t][p] is the number of samples of true class t predicted as
	// class p: len(Classes) rows of len(Classes) non-negative counts.
	Counts [][]int
}

// Confusion draws a confusion matrix: true classes as rows (top to
// bottom), predicted classes as columns, each cell showing its count and
// its share of the row, shaded by that share (row-normalised, so rare
// classes are as readable as common ones), the row totals on the right
// and the overall accuracy under the matrix. Rows without samples are
// white.
func Confusion(s ConfusionSpec) (fig *Figure, err error) {
	defer func() {
		if r := recover(); r != nil {
			fig, err = nil, fmt.Errorf("confusion: %v", r)
		}
	}()
	m, err := newMatrix(s)
	if err != nil {
		return nil, err
	}
	return m.figure(), nil
}

// matrix is a validated confusion matrix and its layout, in points from
// the figure's bottom-left corner.
type matrix struct {
	s           ConfusionSpec
	rowSum      []int
	cell        vg.Length
	x0, y1      vg.Length // top-left corner of the cells
	w, h        vg.Length
	ax          axes
	b           vg.Length // room under the cells for the axis
	pad, titleH vg.Length
	caption     string
	countSz     vg.Length
	totals      text.Style
	capStyle    text.Style
}

// newMatrix validates the spec and lays the figure out.
func newMatrix(s ConfusionSpec) (*matrix, error) {
	n := len(s.Classes)
	if n == 0 {
		return nil, fmt.Errorf("confusion: no classes")
	}
	if len(s.Counts) != n {
		return nil, fmt.Errorf("confusion: %d rows for %d classes", len(s.Counts), n)
	}
	rowSum := make([]int, n)
	total, correct := 0, 0
	for t, row := range s.Counts {
		if len(row) != n {
			return nil, fmt.Errorf("confusion: row %d (%s) has %d columns for %d classes", t, s.Classes[t], len(row), n)
		}
		for p, c := range row {
			if c < 0 {
				return nil, fmt.Errorf("confusion: count [%d][%d] = %d is negative", t, p, c)
			}
			rowSum[t] += c
		}
		total += rowSum[t]
		correct += row[t]
	}

	cell := vg.Length(math.Max(20, math.Min(46, 360/float64(n))))
	side := cell * vg.Length(n)
	ax := axes{xmin: 0, xmax: float64(n), ymin: 0, ymax: float64(n),
		xlabel: "predicted class", ylabel: "true class"}
	ts := textStyle(tickFontSz, black)
	var longest vg.Length
	for i, name := range s.Classes {
		ax.xticks = append(ax.xticks, tick{Value: float64(i) + 0.5, Label: name})
		ax.yticks = append(ax.yticks, tick{Value: float64(n-1-i) + 0.5, Label: name})
		longest = max(longest, ts.Width(name))
	}
	ax.xRotate = longest > cell*0.9
	l, b, t, r := ax.pad()
	countSz := vg.Length(math.Min(11, float64(cell)/3.4))
	totals := textStyle(tickFontSz, frameColor)
	var totW vg.Length
	for _, v := range rowSum {
		totW = max(totW, totals.Width(fmt.Sprintf("n = %d", v)))
	}
	pad := vg.Points(6)
	var titleH vg.Length
	if s.Title != "" {
		titleH = titleStyle().Height(s.Title) + vg.Points(6)
	}
	caption := "shading: share of the true class's row"
	if total > 0 {
		caption = fmt.Sprintf("accuracy %d/%d = %.1f%%; %s", correct, total, 100*float64(correct)/float64(total), caption)
	}
	capStyle := textStyle(9, frameColor)
	capStyle.YAlign = draw.YTop
	capH := capStyle.Height(caption) + vg.Points(4)
	w := max(l+side+max(r, vg.Points(6))+totW, titleStyle().Width(s.Title), l+capStyle.Width(caption)) + 2*pad
	h := titleH + t + side + b + capH + 2*pad

	return &matrix{s: s, rowSum: rowSum, cell: cell, x0: pad + l, y1: h - pad - titleH - t, w: w, h: h,
		ax: ax, b: b, pad: pad, titleH: titleH, caption: caption, countSz: countSz, totals: totals, capStyle: capStyle}, nil
}

// figure returns the matrix's drawing.
func (m *matrix) figure() *Figure {
	s, rowSum, cell, n := m.s, m.rowSum, m.cell, len(m.s.Classes)
	side := cell * vg.Length(n)
	countSz, shareSz := m.countSz, m.countSz*0.8
	return newFigure(m.w, m.h, nil, func(c draw.Canvas) {
		c.SetColor(white)
		c.Fill(c.Rectangle.Path())
		if s.Title != "" {
			c.FillText(titleStyle(), vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - m.pad}, s.Title)
		}
		x0, y1 := c.Min.X+m.x0, c.Min.Y+m.y1
		dc := c
		dc.Rectangle = vg.Rectangle{Min: vg.Point{X: x0, Y: y1 - side}, Max: vg.Point{X: x0 + side, Y: y1}}
		for ti, row := range s.Counts {
			for pi, cnt := range row {
				share := 0.0
				if rowSum[ti] > 0 {
					share = float64(cnt) / float64(rowSum[ti])
				}
				rect := vg.Rectangle{
					Min: vg.Point{X: x0 + cell*vg.Length(pi), Y: y1 - cell*vg.Length(ti+1)},
					Max: vg.Point{X: x0 + cell*vg.Length(pi+1), Y: y1 - cell*vg.Length(ti)},
				}
				dc.SetColor(shade(share))
				dc.Fill(rect.Path())
				fg := color.Color(black)
				if share > 0.55 {
					fg = white
				}
				cs := textStyle(countSz, fg)
				cs.XAlign = draw.XCenter
				ctr := vg.Point{X: (rect.Min.X + rect.Max.X) / 2, Y: (rect.Min.Y + rect.Max.Y) / 2}
				if cell >= 30 && cnt > 0 {
					dc.FillText(cs, vg.Point{X: ctr.X, Y: ctr.Y + countSz*0.45}, fmt.Sprint(cnt))
					ss := textStyle(shareSz, fg)
					ss.XAlign = draw.XCenter
					dc.FillText(ss, vg.Point{X: ctr.X, Y: ctr.Y - shareSz*0.6}, fmt.Sprintf("%.0f%%", 100*share))
				} else {
					dc.FillText(cs, ctr, fmt.Sprint(cnt))
				}
			}
			ts := m.totals
			ts.XAlign = draw.XLeft
			dc.FillText(ts, vg.Point{X: x0 + side + vg.Points(6), Y: y1 - cell*(vg.Length(ti)+0.5)}, fmt.Sprintf("n = %d", rowSum[ti]))
		}
		grid := draw.LineStyle{Color: white, Width: vg.Points(1)}
		for i := 1; i < n; i++ {
			d := cell * vg.Length(i)
			dc.StrokeLine2(grid, x0+d, y1-side, x0+d, y1)
			dc.StrokeLine2(grid, x0, y1-d, x0+side, y1-d)
		}
		m.ax.draw(dc)
		c.FillText(m.capStyle, vg.Point{X: x0, Y: y1 - side - m.b}, m.caption)
	})
}

// shade maps a share in [0, 1] to a sequential white-to-blue colour
// (light enough at 0 to read black text, dark enough at 1 for white).
func shade(share float64) color.Color {
	share = math.Max(0, math.Min(1, share))
	lo := [3]float64{0xFF, 0xFF, 0xFF}
	hi := [3]float64{0x08, 0x30, 0x6B}
	var c [3]uint8
	for i := range c {
		c[i] = uint8(math.Round(lo[i] + (hi[i]-lo[i])*share))
	}
	return color.RGBA{c[0], c[1], c[2], 0xFF}
}
