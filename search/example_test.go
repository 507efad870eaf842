package search_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/search"
	"github.com/lsconf/lsconf/train"
)

// Example is lsconf's main flow as a library: train a (tiny) model on an
// ImageFolder, open the run, index a folder with it, and search the index
// by words and by an image.
func Example() {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "lsconf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)

	// An ImageFolder of the five texture classes (12 images each).
	images := filepath.Join(tmp, "images")
	if _, err := indextest.WriteCollection(images, 12, 1); err != nil {
		log.Fatal(err)
	}
	base, _, err := data.LoadImageFolder(ctx, images, data.LoadOptions{})
	if err != nil {
		log.Fatal(err)
	}
	trainSet, testSet, err := data.Split(base, data.SplitConfig{Mode: data.SplitPre, AugPerImage: 1, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}

	// Train: L_CE + k_g L_G on the paper's circle layout, width 8, 1 epoch.
	layout, err := latent.Circle(len(base.Classes()), latent.PaperDC, latent.PaperRC)
	if err != nil {
		log.Fatal(err)
	}
	runDir := filepath.Join(tmp, "run")
	cfg := train.Config{Mode: model.ModeCEG, Width: 8, Epochs: 1, BatchSize: 16, Seed: 1, Layout: layout,
		Engine: engine.Config{Parallelism: 2}}
	if _, err := train.Train(ctx, cfg, train.Sets{Train: trainSet, Test: testSet}, runDir); err != nil {
		log.Fatal(err)
	}

	// Open the run and index the folder with it.
	run, err := train.OpenRun(runDir, engine.Config{Parallelism: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer run.Close()
	db, err := index.Open(filepath.Join(tmp, "index.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	res, err := db.IndexFolder(ctx, run, images, index.Options{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("indexed %d images\n", res.Encoded)

	// Search by words, and by an image encoded with the run.
	s, err := search.Open(ctx, db, search.OpenOptions{})
	if err != nil {
		log.Fatal(err)
	}
	words, err := s.Run(ctx, search.Spec{Text: "polka dots"}, 5)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("words %q -> %s: %d results\n", "polka dots", words.Query.Target.Terms[0].Class, len(words.Results))

	b, err := os.ReadFile(filepath.Join(images, "dots", "dots_000.png"))
	if err != nil {
		log.Fatal(err)
	}
	px, err := index.DecodeImage(b)
	if err != nil {
		log.Fatal(err)
	}
	img, err := s.Run(ctx, search.Spec{Pixels: px, Model: run}, 5)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("image query: %d results, ranked by sim\n", len(img.Results))
	// Output:
	// indexed 60 images
	// words "polka dots" -> dots: 5 results
	// image query: 5 results, ranked by sim
}

// ExampleSearcher_Run indexes a folder with indextest's fake model (a
// stand-in for a trained run) and builds each kind of query.
func ExampleSearcher_Run() {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "lsconf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "images")
	if _, err := indextest.WriteCollection(dir, 4, 1); err != nil {
		log.Fatal(err)
	}
	db, err := index.Open(filepath.Join(tmp, "index.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	m := indextest.NewFake()
	if _, err := db.IndexFolder(ctx, m, dir, index.Options{}); err != nil {
		log.Fatal(err)
	}
	s, err := search.Open(ctx, db, search.OpenOptions{})
	if err != nil {
		log.Fatal(err)
	}
	rec, err := db.Record(ctx, s.Entry(0).ID)
	if err != nil {
		log.Fatal(err)
	}
	pixels, err := rec.Pixels()
	if err != nil {
		log.Fatal(err)
	}
	for _, spec := range []search.Spec{
		{Pixels: pixels, Model: m},
		{Text: "between squares and dots"},
		{Point: "0.85,0"},
		{Record: rec.ID},
	} {
		res, err := s.Run(ctx, spec, 3)
		if err != nil {
			log.Fatal(err)
		}
		kind, _ := spec.Kind()
		fmt.Println(kind, len(res.Query.V), len(res.Results))
	}
	// Output:
	// image 5 3
	// text 5 3
	// point 5 3
	// record 5 3
}
