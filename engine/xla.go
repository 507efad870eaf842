//go:build xla

package engine

// Built with -tags xla, lsconf also registers GoMLX's XLA backend (PJRT:
// CPU, CUDA, TPU), chosen with Config.Backend "xla" (the --backend flag).
// It needs a PJRT plugin installed on the machine (see go-xla's README);
// the default build leaves it out because it tries to download one at
// start-up, which fails without network.

import _ "github.com/gomlx/go-xla/compute/xla" // registers the "xla" backend

// xlaBuilt reports whether the XLA backend is compiled in.
const xlaBuilt = true
