package index_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

// ExampleDB_IndexFolder indexes a folder with a model (indextest's fake,
// a stand-in for a trained run): every image is encoded once; indexing
// again skips what the index already holds, and the full check passes.
func ExampleDB_IndexFolder() {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "lsconf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	images := filepath.Join(tmp, "textures")
	if _, err := indextest.WriteCollection(images, 4, 1); err != nil {
		log.Fatal(err)
	}
	db, err := index.Open(filepath.Join(tmp, "index.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	m := indextest.NewFake()
	for range 2 {
		res, err := db.IndexFolder(ctx, m, images, index.Options{})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("collection %s: %d images, %d encoded, %d already indexed\n", res.Collection, res.Images, res.Encoded, res.Skipped)
	}
	cols, err := db.Collections(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("labels:", cols[0].Labels)
	rep, err := db.Check(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("check passed:", rep.OK())
	// Output:
	// collection textures: 20 images, 20 encoded, 0 already indexed
	// collection textures: 20 images, 0 encoded, 20 already indexed
	// labels: map[dots:4 hlines:4 squares:4 uniform:4 vlines:4]
	// check passed: true
}
