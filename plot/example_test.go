package plot_test

import (
	"fmt"
	"image"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/plot"
)

// The LS figure of a configured run (paper Figure 7): training encodings
// as small points, generalization encodings as large points, the layout's
// centres and r_c circles, the fixed [-2, 2] view.
func ExampleScatter() {
	dir, err := os.MkdirTemp("", "lsconf-plot-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	layout, err := latent.Circle(5, 0.85, 0.34)
	if err != nil {
		log.Fatal(err)
	}
	train := [][]float64{{0.8, 0.1}, {0.3, 0.75}, {-0.7, 0.5}, {-0.65, -0.5}, {0.25, -0.8}}
	gen := [][]float64{{0.9, -0.05}, {1.2, 1.5}}
	fig, err := plot.Scatter(plot.ScatterSpec{
		Title:   "ce+g, seed 1, pre",
		Classes: []string{"uniform", "hlines", "vlines", "squares", "dots"},
		Clouds: []plot.Cloud{
			plot.TrainCloud("train", train, []int{0, 1, 2, 3, 4}),
			plot.GeneralizationCloud("generalization", gen, []int{0, -1}),
		},
		Layout: layout,
		View:   plot.View{Half: plot.ConfiguredHalf},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := plot.Save(fig, filepath.Join(dir, "ls")); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"ls.png", "ls.svg"} {
		_, err := os.Stat(filepath.Join(dir, name))
		fmt.Println(name, err == nil)
	}
	fmt.Println(fig.Notes)
	// Output:
	// ls.png true
	// ls.svg true
	// []
}

// A 4-dimensional LS is drawn on a plane chosen to keep the centres
// apart; the axis labels say which plane.
func ExamplePlaneFor() {
	layout, err := latent.Spread(5, 4, 0.85, 0.34)
	if err != nil {
		log.Fatal(err)
	}
	p, err := plot.PlaneFor(4, layout, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.XLabel)
	// Output: polygon-plane axis 1 (n_d = 4)
}

// The f_d curve of the paper's Figure 6 (r_c = 2).
func ExampleFDCurve() {
	dir, err := os.MkdirTemp("", "lsconf-plot-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fig, err := plot.FDCurve(plot.FDSpec{Radii: []float64{2}, XMax: 5})
	if err != nil {
		log.Fatal(err)
	}
	if err := plot.Save(fig, filepath.Join(dir, "fd")); err != nil {
		log.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// fd.png
	// fd.svg
}

// Training curves from per-epoch series (NaN: not measured that epoch).
func ExampleTrainingCurves() {
	dir, err := os.MkdirTemp("", "lsconf-plot-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	nan := math.NaN()
	fig, err := plot.TrainingCurves("ce+g, seed 1, pre", plot.TrainingMetrics{
		Loss:     []float64{9.1, 4.2, 1.9, 0.9},
		CE:       []float64{1.6, 1.1, 0.7, 0.5},
		LG:       []float64{37.5, 15.5, 6.0, 2.0},
		TrainAcc: []float64{0.31, 0.55, 0.74, 0.86},
		TestAcc:  []float64{0.28, 0.49, 0.66, 0.75},
		GenAcc:   []float64{nan, 0.41, nan, 0.63},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := plot.Save(fig, filepath.Join(dir, "curves")); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(fig.Notes), "notes")
	// Output: 0 notes
}

// A confusion matrix: rows are true classes, columns predictions.
func ExampleConfusion() {
	dir, err := os.MkdirTemp("", "lsconf-plot-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	fig, err := plot.Confusion(plot.ConfusionSpec{
		Title:   "generalization set",
		Classes: []string{"uniform", "hlines", "vlines"},
		Counts:  [][]int{{14, 3, 2}, {1, 15, 0}, {2, 0, 13}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plot.Save(fig, filepath.Join(dir, "confusion")))
	// Output: <nil>
}

// A query image and its top results with scores, like the paper's
// Figure 10, from 32x32 float32 pixels.
func ExampleResultGrid() {
	dir, err := os.MkdirTemp("", "lsconf-plot-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	pixels := func(period int) []float32 {
		p := make([]float32, 32*32)
		for i := range p {
			if (i/32/period)%2 == 0 {
				p[i] = 0.9
			}
		}
		return p
	}
	query, err := plot.Gray32(pixels(2))
	if err != nil {
		log.Fatal(err)
	}
	var results []plot.Tile
	for k, score := range []float64{0.981, 0.934, 0.877} {
		img, err := plot.Gray32(pixels(k + 2))
		if err != nil {
			log.Fatal(err)
		}
		results = append(results, plot.Tile{Image: img, Score: score, Caption: "hlines"})
	}
	grid, err := plot.ResultGrid(plot.ResultGridSpec{
		Title:   "query: gen/hlines/017.png",
		Query:   &plot.Tile{Image: query, Caption: "hlines"},
		Results: results,
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := plot.SavePNG(grid, filepath.Join(dir, "results.png")); err != nil {
		log.Fatal(err)
	}
	fmt.Println(grid.Bounds().Dx(), "px wide")
	// Output: 430 px wide
}

// Several rendered figures in one image with row and column captions,
// like the paper's Figures 7-9.
func ExampleGrid() {
	dir, err := os.MkdirTemp("", "lsconf-plot-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	layout, err := latent.Circle(5, 0.85, 0.34)
	if err != nil {
		log.Fatal(err)
	}
	var cells [][]image.Image
	for _, half := range []float64{plot.ConfiguredHalf, plot.WideHalf} {
		fig, err := plot.Scatter(plot.ScatterSpec{Layout: layout, View: plot.View{Half: half}})
		if err != nil {
			log.Fatal(err)
		}
		img, err := fig.Image(72)
		if err != nil {
			log.Fatal(err)
		}
		cells = append(cells, []image.Image{img})
	}
	grid, err := plot.Grid(plot.GridSpec{
		Cells:       cells,
		RowCaptions: []string{"[-2, 2]", "[-40, 40]"},
		ColCaptions: []string{"seed 1"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plot.SavePNG(grid, filepath.Join(dir, "grid.png")))
	// Output: <nil>
}
