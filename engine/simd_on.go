//go:build goexperiment.simd

package engine

// simdBuild reports whether this binary was built with GOEXPERIMENT=simd,
// which the backend's AVX-512 kernels need.
const simdBuild = true
