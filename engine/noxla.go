//go:build !xla

package engine

// xlaBuilt reports whether the XLA backend is compiled in (go build -tags
// xla).
const xlaBuilt = false
