package model_test

import (
	"fmt"
	"log"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/model"
)

// Example builds a tiny SAE of Table 1 (width divisor 16, five classes,
// a 2-D latent space), initialises its weights from a seed and encodes
// two images: each gets an LS point z (n_d values) and class logits (n_c
// values).
func Example() {
	cfg := model.Config{NC: 5, ND: 2, Width: 16}
	w, err := model.Init(cfg, 1)
	if err != nil {
		log.Fatal(err)
	}
	params := 0
	for _, s := range model.Specs(cfg) {
		params += s.Size()
	}
	backend, err := engine.New(engine.Config{Parallelism: 1})
	if err != nil {
		log.Fatal(err)
	}
	defer backend.Finalize()
	net, err := model.NewNet(backend, cfg, w)
	if err != nil {
		log.Fatal(err)
	}
	defer net.Close()
	images := make([]float32, 2*32*32) // two 32x32 grey images, row-major
	for i := range images {
		images[i] = float32(i%32) / 31
	}
	z, logits, err := net.Infer(images, 2)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d trainable parameters; z: %d values, logits: %d values\n", params, len(z), len(logits))
	// Output:
	// 40173 trainable parameters; z: 4 values, logits: 10 values
}
