package engine

import "runtime"

// SIMDBuild reports whether the binary was built with GOEXPERIMENT=simd.
// Without it the compute fork's fast convolution and the backend's matmul
// run their pure-Go kernels, several times slower on amd64.
func SIMDBuild() bool { return simdBuild }

// BuildWarning returns a sentence for people when this binary is slower
// than it could be on this machine (an amd64 build without
// GOEXPERIMENT=simd), or "" when it is not.
func BuildWarning() string {
	if simdBuild || runtime.GOARCH != "amd64" {
		return ""
	}
	return "this lsconf was built without GOEXPERIMENT=simd, so training and encoding run the slow pure-Go kernels (about 5x slower); rebuild with `make build` (or GOEXPERIMENT=simd go build ./cmd/lsconf)"
}
