package model

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/lsconf/lsconf/engine"
)

// graphTimeout bounds every test that runs a graph: a hang of the backend
// fails the test loudly instead of stalling the suite.
const graphTimeout = 3 * time.Minute

// testBackend returns a fresh Go backend, finalized when the test ends.
func testBackend(t testing.TB) compute.Backend {
	t.Helper()
	b, err := engine.New(engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Finalize)
	return b
}

// run1 compiles fn and runs it on the inputs, returning its outputs as
// tensors.
func runGraph(t *testing.T, b compute.Backend, fn func(g *graph.Graph, in []*graph.Node) []*graph.Node, inputs ...any) []*tensors.Tensor {
	t.Helper()
	e, err := graph.NewExec(b, fn)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Finalize()
	out, err := e.Call(inputs...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// randUniform returns n values uniform in [lo, hi) from rng.
func randUniform(rng *rand.Rand, n int, lo, hi float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(lo + (hi-lo)*rng.Float64())
	}
	return v
}

// testNet returns a Net of cfg with Init(cfg, seed)'s weights (also
// returned), closed when the test ends.
func testNet(t testing.TB, b compute.Backend, cfg Config, seed uint64) (*Net, *Weights) {
	t.Helper()
	w, err := Init(cfg, seed)
	if err != nil {
		t.Fatal(err)
	}
	net, err := NewNet(b, cfg, w)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { net.Close() })
	return net, w
}
