// Package engine creates the GoMLX compute backend that lsconf runs its
// graphs on: the pure-Go backend (github.com/gomlx/compute/gobackend),
// with an explicit worker count.
//
// The XLA backend is not in the default build: it needs a PJRT plugin, which
// gomlx/backends/default tries to download at start-up (and fails without
// network). Users who have a plugin build lsconf with -tags xla and choose
// it with Config.Backend "xla" or "xla:cuda" (the --backend flag).
package engine

import (
	"fmt"
	"runtime"
	"strings"

	"github.com/gomlx/compute"
	_ "github.com/gomlx/compute/gobackend" // registers the "go" backend
	"github.com/gomlx/gomlx/core/graph"
)

// Config chooses how the Go backend runs.
type Config struct {
	// Parallelism is the worker-pool size of the backend; 0 picks
	// DefaultParallelism.
	Parallelism int
	// Sequential runs the ops of a graph one at a time (each op may still
	// use the workers inside).
	Sequential bool
	// Backend is "" or "go" (the pure-Go backend, the default) or, in
	// builds with -tags xla, "xla" or "xla:<plugin>" (e.g. "xla:cuda"),
	// GoMLX's XLA backend through an installed PJRT plugin. Parallelism
	// and Sequential apply to the Go backend only.
	Backend string
}

// DefaultParallelism is the worker count used when Config.Parallelism is 0:
// one more than the CPUs, which measured fastest for the train step on
// 2 cores (3 workers; see docs/speed.md).
func DefaultParallelism() int { return runtime.NumCPU() + 1 }

// String is the backend configuration string, as GOMLX_BACKEND spells it.
func (c Config) String() string {
	if c.isXLA() {
		return c.Backend
	}
	p := c.Parallelism
	if p <= 0 {
		p = DefaultParallelism()
	}
	s := fmt.Sprintf("go:parallelism=%d", p)
	if c.Sequential {
		s += ",ops_sequential"
	}
	return s
}

// New creates a Go backend with the configuration. The caller owns it and
// should call Finalize when done. With upstream gomlx/compute instead of
// lsconf's fork (see Fork) the Go backend runs at UpstreamParallelism,
// whatever c.Parallelism says.
func New(c Config) (compute.Backend, error) {
	if c.Parallelism < 0 {
		return nil, fmt.Errorf("engine: parallelism %d, must be >= 0 (0 = default)", c.Parallelism)
	}
	switch {
	case c.Backend == "" || c.Backend == "go":
	case c.isXLA():
		if !xlaBuilt {
			return nil, fmt.Errorf("engine: backend %q: this lsconf was built without XLA (build it with -tags xla; it needs a PJRT plugin)", c.Backend)
		}
	default:
		return nil, fmt.Errorf("engine: backend %q: want go, xla or xla:<plugin>", c.Backend)
	}
	conf := c.String()
	if !c.isXLA() {
		// Upstream gomlx/compute (lsconf used as a library without its
		// fork) deadlocks with workers: run it inline (Fork).
		fork, err := Fork()
		if err != nil {
			return nil, err
		}
		if !fork {
			conf = fmt.Sprintf("go:parallelism=%d", UpstreamParallelism)
			if c.Sequential {
				conf += ",ops_sequential"
			}
		}
	}
	b, err := compute.NewWithConfig(conf)
	if err != nil {
		return nil, fmt.Errorf("engine: create backend %q: %w", conf, err)
	}
	return b, nil
}

func (c Config) isXLA() bool {
	return c.Backend == "xla" || strings.HasPrefix(c.Backend, "xla:")
}

// SelfTest builds and runs a small matmul graph on the backend and checks
// its result: a quick proof that the backend (and its worker pool) works.
func SelfTest(b compute.Backend) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("engine self-test: %v", r)
		}
	}()
	exec, err := graph.NewExec(b, func(x *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.MatMul(x, graph.Transpose(x, 0, 1)))
	})
	if err != nil {
		return fmt.Errorf("engine self-test: %w", err)
	}
	const n = 64
	data := make([][]float32, n)
	want := 0.0
	for i := range data {
		data[i] = make([]float32, n)
		for j := range data[i] {
			data[i][j] = float32((i+2*j)%7) / 7
		}
	}
	for i := 0; i < n; i++ {
		for k := 0; k < n; k++ {
			s := 0.0
			for j := 0; j < n; j++ {
				s += float64(data[i][j]) * float64(data[k][j])
			}
			want += s
		}
	}
	out, err := exec.Exec(data)
	if err != nil {
		return fmt.Errorf("engine self-test: %w", err)
	}
	got := float64(out[0].Value().(float32))
	if d := got - want; d > 1e-3*want || d < -1e-3*want {
		return fmt.Errorf("engine self-test: sum of x x^T = %v, want %v", got, want)
	}
	return nil
}
