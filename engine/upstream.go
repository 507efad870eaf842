package engine

import (
	"fmt"

	"github.com/gomlx/compute"
)

// UpstreamParallelism is the worker setting New uses when the build has
// upstream gomlx/compute instead of lsconf's fork: 0, every op and every
// fan-out on the calling goroutine (one core). Upstream's worker pool
// deadlocks at parallelism 2 (and rarely at 3 or 4) when a graph node
// running on a worker fans out its matmul; inline execution cannot.
const UpstreamParallelism = 0

// Fork reports whether this build's pure-Go backend is lsconf's fork of
// gomlx/compute (third_party/compute, through lsconf's go.mod replace
// directive), recognised by the batch-norm ops the fork adds. A program
// that imports lsconf as a library gets upstream gomlx/compute (Go ignores
// the replace directives of dependencies) unless its own go.mod has the
// same replace; then Fork is false, model builds batch norm from
// elementary ops and New runs the backend at UpstreamParallelism.
func Fork() (bool, error) {
	b, err := compute.NewWithConfig("go")
	if err != nil {
		return false, fmt.Errorf("engine: create backend \"go\": %w", err)
	}
	defer b.Finalize()
	return b.Capabilities().Operations[compute.OpTypeBatchNormForTraining], nil
}
