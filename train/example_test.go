package train_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// ExampleEnsure trains a tiny model (width divisor 16, one epoch of 30
// images) on an ImageFolder through the one entry point of a training
// run: the first call trains it, the second finds it finished. The run
// folder then opens as a model that encodes images.
func ExampleEnsure() {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "lsconf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	images := filepath.Join(tmp, "images")
	if _, err := indextest.WriteCollection(images, 6, 1); err != nil {
		log.Fatal(err)
	}
	base, _, err := data.LoadImageFolder(ctx, images, data.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	tr, te, err := data.Split(base, data.SplitConfig{Mode: data.SplitPre, AugPerImage: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	layout, err := latent.Circle(len(base.Classes()), latent.PaperDC, latent.PaperRC)
	if err != nil {
		log.Fatal(err)
	}
	cfg := train.Config{Mode: model.ModeCEG, Width: 16, Epochs: 1, BatchSize: 8, Seed: 1, Layout: layout,
		Engine: engine.Config{Parallelism: 1}}
	dir := filepath.Join(tmp, "run")
	for range 2 {
		st, res, err := train.Ensure(ctx, cfg, train.Sets{Train: tr, Test: te}, dir)
		if err != nil {
			log.Fatal(err)
		}
		if res != nil {
			fmt.Printf("%s: trained %d epoch of %d images, %d steps\n", st, res.Position.Epoch, tr.Len(), res.Position.Step)
		} else {
			fmt.Printf("%s: nothing to do\n", st)
		}
	}
	run, err := train.OpenRun(dir, engine.Config{Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer run.Close()
	fmt.Println("classes:", run.Classes())
	// Output:
	// new: trained 1 epoch of 75 images, 10 steps
	// done: nothing to do
	// classes: [dots hlines squares uniform vlines]
}
