package plot

import (
	"image"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

func TestGray32(t *testing.T) {
	pix := make([]float32, 32*32)
	pix[0] = 1
	pix[33] = 0.5 // x 1, y 1
	pix[1023] = 7 // clipped to 1
	pix[1022] = -1
	img, err := Gray32(pix)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		x, y int
		want uint8
	}{{0, 0, 255}, {1, 1, 128}, {31, 31, 255}, {30, 31, 0}, {1, 0, 0}} {
		if got := img.GrayAt(tc.x, tc.y).Y; got != tc.want {
			t.Errorf("pixel (%d, %d) = %d, want %d", tc.x, tc.y, got, tc.want)
		}
	}
	if _, err := Gray32(pix[:100]); err == nil {
		t.Error("100 pixels accepted")
	}
	pix[5] = float32(math.NaN())
	if _, err := Gray32(pix); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("NaN pixel: %v", err)
	}
}

// stripes is a 32x32 test image of horizontal stripes of period p.
func stripes(t *testing.T, p int) *image.Gray {
	t.Helper()
	pix := make([]float32, 32*32)
	for i := range pix {
		if (i/32/p)%2 == 0 {
			pix[i] = 1
		}
	}
	img, err := Gray32(pix)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestResultGrid(t *testing.T) {
	var res []Tile
	for i := 0; i < 10; i++ {
		res = append(res, Tile{Image: stripes(t, 1+i%4), Score: 1 - float64(i)/10, Caption: "hlines"})
	}
	q := &Tile{Image: stripes(t, 2), Caption: "query image"}
	img, err := ResultGrid(ResultGridSpec{Title: "top 10", Query: q, Results: res})
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	// 8 px margins, query column of 96 + 18, ten 96 px results with 9 gaps
	// of 6.
	if want := 16 + 96 + 18 + 10*96 + 9*6; b.Dx() != want {
		t.Errorf("grid width %d, want %d", b.Dx(), want)
	}
	// The upscaling is nearest neighbour: the first result (period 1, so 3
	// output pixels per input row at 96 px) has pure black and white rows.
	hist := map[uint8]int{}
	x0 := 8 + 96 + 18
	top := -1
	for y := 0; y < b.Dy(); y++ { // the grey frame is just above the image
		if c := color.GrayModel.Convert(img.At(x0+48, y)).(color.Gray); c.Y == 0xBB {
			top = y + 1
			break
		}
	}
	if top < 0 {
		t.Fatal("no frame above the first result")
	}
	for y := top; y < top+96; y++ {
		hist[color.GrayModel.Convert(img.At(x0+48, y)).(color.Gray).Y]++
	}
	if hist[0] != 48 || hist[255] != 48 {
		t.Errorf("first result column: %v, want 48 black and 48 white pixels (nearest neighbour, 3x)", hist)
	}
	dir := t.TempDir()
	if err := SavePNG(img, filepath.Join(dir, "grid.png")); err != nil {
		t.Fatal(err)
	}
	back, err := LoadPNG(filepath.Join(dir, "grid.png"))
	if err != nil || back.Bounds() != b {
		t.Fatalf("reload: %v, %v", err, back)
	}

	// A text query with an LS point, results in rows of 4.
	img, err = ResultGrid(ResultGridSpec{QueryText: "checkered plaid", QueryPoint: []float64{-0.69, -0.5}, Results: res[:6], PerRow: 4, CellPx: 64})
	if err != nil {
		t.Fatal(err)
	}
	if want := 16 + 64 + 18 + 4*64 + 3*6; img.Bounds().Dx() != want {
		t.Errorf("text grid width %d, want %d", img.Bounds().Dx(), want)
	}
	if _, err := ResultGrid(ResultGridSpec{Query: q}); err != nil {
		t.Errorf("no results: %v", err)
	}
	for name, bad := range map[string]ResultGridSpec{
		"both":      {Query: q, QueryText: "dots"},
		"nil-image": {Results: []Tile{{Score: 1}}},
		"query-nil": {Query: &Tile{}},
		"cell":      {CellPx: 3},
		"per-row":   {PerRow: -1},
		"point":     {QueryText: "x", QueryPoint: []float64{math.Inf(1)}},
	} {
		if _, err := ResultGrid(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestGridDimensions(t *testing.T) {
	a := image.NewRGBA(image.Rect(0, 0, 200, 100))
	b := image.NewRGBA(image.Rect(0, 0, 150, 120))
	fillRect(a, a.Bounds(), color.RGBA{255, 0, 0, 255})
	s := GridSpec{Cells: [][]image.Image{{a, b, a}, {b, nil, a}}, Gap: 5}
	img, err := Grid(s)
	if err != nil {
		t.Fatal(err)
	}
	// Columns 200, 150, 200; rows 120, 120; margins 10.
	if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != 20+550+10 || h != 20+240+5 {
		t.Errorf("grid %d x %d, want %d x %d", w, h, 20+550+10, 20+240+5)
	}
	// The first cell sits at the top-left margin, centred vertically.
	if c := img.RGBAAt(10+100, 10+10+50); c.R != 255 || c.G != 0 {
		t.Errorf("centre of cell (0, 0) is %v, want red", c)
	}
	if c := img.RGBAAt(10+100, 10+5); c != white {
		t.Errorf("above cell (0, 0) is %v, want white (centred in a taller row)", c)
	}

	// Captions add a column on the left and a row on top; scaling halves.
	s.RowCaptions = []string{"pre", "post"}
	s.ColCaptions = []string{"seed 1", "seed 2", "seed 3"}
	s.MaxCellWidth = 100
	img2, err := Grid(s)
	if err != nil {
		t.Fatal(err)
	}
	txt := newRasterText(18)
	capW := txt.width("post") + 2*5
	capH := txt.height() + 5
	if w, h := img2.Bounds().Dx(), img2.Bounds().Dy(); w != 20+capW+275+10 || h != 20+capH+120+5 {
		t.Errorf("captioned grid %d x %d, want %d x %d", w, h, 20+capW+275+10, 20+capH+120+5)
	}
	for name, bad := range map[string]GridSpec{
		"empty":    {},
		"no-cols":  {Cells: [][]image.Image{{}}},
		"row-caps": {Cells: [][]image.Image{{a}}, RowCaptions: []string{"a", "b"}},
		"col-caps": {Cells: [][]image.Image{{a}}, ColCaptions: []string{"a", "b"}},
		"width":    {Cells: [][]image.Image{{a}}, MaxCellWidth: -1},
		"blank":    {Cells: [][]image.Image{{image.NewRGBA(image.Rectangle{})}}},
	} {
		if _, err := Grid(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestGridOfFigures renders figures straight into a grid (no files).
func TestGridOfFigures(t *testing.T) {
	l := paperLayout(t)
	var row []image.Image
	for _, half := range []float64{2, 40} {
		fig, err := Scatter(ScatterSpec{Layout: l, View: View{Half: half}})
		if err != nil {
			t.Fatal(err)
		}
		img, err := fig.Image(60)
		if err != nil {
			t.Fatal(err)
		}
		row = append(row, img)
	}
	g, err := Grid(GridSpec{Title: "views", Cells: [][]image.Image{row}, ColCaptions: []string{"[-2, 2]", "[-40, 40]"}})
	if err != nil {
		t.Fatal(err)
	}
	if g.Bounds().Dx() < row[0].Bounds().Dx()*2 {
		t.Errorf("grid %v narrower than its cells", g.Bounds())
	}
}
