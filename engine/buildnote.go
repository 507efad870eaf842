package engine

// SIMDBuild reports whether the binary was built with GOEXPERIMENT=simd.
// Without it the compute fork's fast convolution and the backend's matmul
// run their pure-Go kernels, several times slower on amd64.
func SIMDBuild() bool { return simdBuild }
