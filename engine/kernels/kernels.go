// Package kernels names the SIMD kernel set lsconf's fork of gomlx/compute
// runs on this machine, and warns when a binary runs slow kernels. It uses
// the fork's own API (gobackend.KernelSet), so only the CLI and bench
// import it: the library packages (engine, model, train, index, search...)
// build against upstream gomlx/compute too (internal/upstreamcheck).
package kernels

import (
	"runtime"

	"github.com/gomlx/compute/gobackend"

	"github.com/lsconf/lsconf/engine"
)

// Kernels names the SIMD kernel set the Go backend runs on this machine,
// chosen once at start by the compute fork: "avx512", "avx2" (AVX2 and FMA)
// or "go" (pure Go). GOMLX_SIMD_AVX512=false forces "avx2" on an AVX-512
// CPU, GOMLX_SIMD_AVX2=false forces "go" on any CPU.
func Kernels() string { return gobackend.KernelSet() }

// KernelsReason says why no faster kernel set than Kernels runs: the
// missing CPU features (e.g. "no AVX2/FMA"), the environment switch, or
// the build; "" with "avx512".
func KernelsReason() string { return gobackend.KernelSetReason() }

// BuildWarning returns a sentence for people when this binary is much
// slower than it could be: an amd64 build without GOEXPERIMENT=simd, or
// the pure-Go kernels (a CPU without AVX2/FMA, or GOMLX_SIMD_AVX2=false);
// "" otherwise.
func BuildWarning() string {
	if !engine.SIMDBuild() && runtime.GOARCH == "amd64" {
		return "this lsconf was built without GOEXPERIMENT=simd, so training and encoding run the slow pure-Go kernels (10-30x slower); rebuild with `make build` (or GOEXPERIMENT=simd go build ./cmd/lsconf)"
	}
	if Kernels() == "go" {
		return KernelsReason() + ": pure-Go kernels, training and encoding 10-30x slower than with the AVX2/FMA or AVX-512 ones (kernel set \"go\")"
	}
	return ""
}
