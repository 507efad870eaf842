// Package gobackend implements a native Go [compute.Backend]: very portable (including WASM) but not very fast.
//
// It only implements the most popular dtypes and operations.
// But generally, it's easy to add new ops: just open an issue in GoMLX.
//
// This package is simply a thin wrapper around internal/gobackend.
package gobackend

import (
	"sync"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/internal/gobackend"
	"github.com/gomlx/compute/internal/gobackend/ops" // lsconf fork: KernelSet

	// Registers all the ops.
	_ "github.com/gomlx/compute/internal/gobackend/defaultpkgs"
)

// BackendName to be used in GOMLX_BACKEND to specify this backend.
const BackendName = "go"

// GetBackend returns a singleton Go backend, created with the default configuration.
// The backend is only created at the first call of the function.
//
// The singleton is never destroyed.
var GetBackend = sync.OnceValue(func() compute.Backend {
	backend, err := New("")
	if err != nil {
		panic(err)
	}
	return backend
})

// New constructs a new Go Backend.
// There are no configurations, the string is simply ignored.
func New(config string) (compute.Backend, error) {
	return gobackend.New(config)
}

// KernelSet names the SIMD kernel set the Go backend's fast convolution
// runs, chosen once at start: "avx512" (the CPU has AVX-512 and
// GOMLX_SIMD_AVX512 is not false), "avx2" (AVX2 and FMA, GOMLX_SIMD_AVX2 not
// false) or "go" (pure Go: another CPU, GOMLX_SIMD_AVX2=false, or a build
// without GOEXPERIMENT=simd). The matmul follows the same switches.
//
// lsconf fork: added (upstream has no such report).
func KernelSet() string { return ops.ConvKernelSet() }

// KernelSetReason says why no faster kernel set than KernelSet runs (the
// missing CPU features, the switch that turned them off, or the build), ""
// with "avx512".
//
// lsconf fork: added.
func KernelSetReason() string { return ops.ConvKernelSetReason() }
