package plot_test

import (
	"fmt"
	"log"
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
