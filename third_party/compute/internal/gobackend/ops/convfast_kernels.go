// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

// lsconf fork: GEMM micro-kernels of the fast float32 ConvGeneral
// (convfast.go). Each computes one tile of C = A·B over kc steps of the
// contracted axis, either overwriting C (acc false) or adding to it (acc
// true); strides are in elements:
//
//   - kernRM32 and kernRM16, convKernRMRows x 32 (or 16): A row-major,
//     A[r][k] = a[r*lda+k]; B[k][n] = b[k*ldb+n]; C[r][n] = c[r*ldc+n].
//   - kernKM, convKernKMRows x convKernCols: A k-major, A[r][k] =
//     a[k*lda+r]; B as above; C contiguous, C[r][n] = c[r*convKernCols+n].
//
// The pure-Go versions below are the fallback; on amd64 with AVX-512 or
// AVX2+FMA (and GOEXPERIMENT=simd, for the CPU feature detection)
// Go-assembly versions replace them (convfast_kernels_amd64.go), chosen
// once at start: AVX-512 if the CPU has it and GOMLX_SIMD_AVX512 is not
// false, else AVX2+FMA if the CPU has them and GOMLX_SIMD_AVX2 is not
// false, else pure Go.

//go:generate go run convfast_gen.go

const (
	convKernRMRows = 12
	convKernKMRows = 8
	convKernCols   = 32
)

// convKernels holds the micro-kernels in use.
type convKernels struct {
	name     string
	kernRM32 func(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, kc int, acc bool)
	kernRM16 func(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, kc int, acc bool)
	kernKM   func(a []float32, lda int, b []float32, ldb int, c []float32, kc int, acc bool)
	// kernRM8 is kernRM16 for the first 8 columns only (C's other
	// columns untouched), for strips of 8 or fewer output channels; nil
	// where the 16-column tile costs no more (lsconf fork).
	kernRM8 func(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, kc int, acc bool)
	// epi stores src to dst (same length) through a fused epilogue:
	// dst[i] = src[i] + bias[i] (bias nil: + 0), then, with relu, 0 unless
	// that is > 0 (convfused_lsconf.go).
	epi func(dst, src, bias []float32, relu bool)
	// epiRows is epi on rows rows of n values, dst and src with row
	// strides ldd and lds.
	epiRows func(dst []float32, ldd int, src []float32, lds, rows, n int, bias []float32, relu bool)
	// poolMax is one output row of a max pool (poolfast.go): o[i] is the
	// max, with Go's max (NaN wins, +0 over -0), of in[start+off+i] over
	// the window's offsets in order.
	poolMax func(o, in []float32, start int, offsets []int)
	// poolScatter is one window row of a max pool's gradient
	// (selectAndScatterMaxFast) for its first channels, a multiple of the
	// vector width: out[sel+i] += src[i] with sel the offset (start + one
	// of offsets) of the window's first maximum of channel i, or of its
	// last NaN. It returns how many channels it took (nil: none).
	poolScatter func(out, in, src []float32, start int, offsets []int) int
	// bnSums adds, for rows o in [o0, o1) of feat values of a (and b), in
	// row order per feature: t1[f] += a[o][f], and t2[f] += d*d with
	// d = a[o][f] - ct[f] (b nil) or a[o][f] * (b[o][f] - ct[f]), the
	// batch-norm sums (batchnorm.go), as its Go loop computes them. It
	// reports false when it does not take feat (nil: never).
	bnSums func(a, b []float32, feat, o0, o1 int, ct, t1, t2 []float32) bool
	// bnAffine writes, for rows o in [o0, o1), out[o][f] = x[o][f]*a[f] +
	// c[f], or (x[o][f]*a[f] + y[o][f]*b[f]) + c[f] with y, as batchnorm.go's
	// Go loop; false when it does not take feat (nil: never).
	bnAffine func(x, y, out []float32, feat, o0, o1 int, a, b, c []float32) bool
	// logistic writes the float32 logistic of src to dst (same length),
	// within a few ulps of upstream's (logistic_lsconf_amd64.go; nil:
	// upstream's loop).
	logistic func(dst, src []float32)
	// dotRows writes, for rows i in [0, rows), c[i*ldc] = the sum over
	// taps t in [0, taps) of the dot product of
	// a[t*tapStride+i*lda : ...+kc] and w[t*kc : (t+1)*kc]: a convolution
	// with one output channel in the direct arrangement
	// (convfast_direct.go; a tap is a kernel row), where a 16-wide tile
	// would waste 15 columns.
	dotRows func(a []float32, lda, taps, tapStride int, w []float32, kc int, c []float32, ldc, rows int)
}

// convKernelsGo are the pure-Go micro-kernels.
var convKernelsGo = convKernels{name: "go", kernRM32: convKernRM32Go, kernRM16: convKernRM16Go, kernKM: convKernKMGo, epi: convEpiGo, epiRows: convEpiRowsGo, poolMax: poolMaxGo, dotRows: convDotRowsGo}

// convKernelsBest are the fastest allowed micro-kernels for this CPU; set
// once at init (convfast_kernels_amd64.go).
var convKernelsBest = convKernelsGo

// convKernelsAvailable are the kernel sets this CPU can run, the allowed
// ones or not (the tests run each); set at init.
var convKernelsAvailable = []convKernels{convKernelsGo}

// The CPU features the assembly kernel sets need, and whether this build
// has the assembly and the feature detection (amd64 with
// GOEXPERIMENT=simd); set at init.
var convCPUHasAVX512, convCPUHasAVX2FMA, convSIMDBuild bool

// ConvKernelSet names the micro-kernels the fast convolution runs: "avx512",
// "avx2" or "go".
func ConvKernelSet() string { return convKernelsBest.name }

// ConvKernelSetReason says why no faster kernel set runs: the missing CPU
// features, the environment switch that turned them off, or the build;
// "" with the AVX-512 set.
func ConvKernelSetReason() string {
	switch {
	case convKernelsBest.name == "avx512":
		return ""
	case convKernelsBest.name == "avx2" && convCPUHasAVX512:
		return "AVX-512 turned off by GOMLX_SIMD_AVX512=false"
	case convKernelsBest.name == "avx2":
		return "no AVX-512"
	case !convSIMDBuild:
		return "no SIMD kernels in this build (they need amd64 and GOEXPERIMENT=simd)"
	case convCPUHasAVX2FMA:
		return "SIMD kernels turned off by GOMLX_SIMD_AVX2=false"
	}
	return "no AVX2/FMA"
}

func convKernRM32Go(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, kc int, acc bool) {
	convKernRMGo(a, lda, b, ldb, c, ldc, kc, acc, 32)
}

func convKernRM16Go(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, kc int, acc bool) {
	convKernRMGo(a, lda, b, ldb, c, ldc, kc, acc, 16)
}

func convKernRMGo(a []float32, lda int, b []float32, ldb int, c []float32, ldc int, kc int, acc bool, cols int) {
	const rows = convKernRMRows
	_ = c[(rows-1)*ldc+cols-1]
	for r := 0; r < rows; r++ {
		cr := c[r*ldc : r*ldc+cols]
		if !acc {
			clear(cr)
		}
		if kc == 0 {
			continue
		}
		_ = a[(rows-1)*lda+kc-1]
		_ = b[(kc-1)*ldb+cols-1]
		for k, av := range a[r*lda : r*lda+kc] {
			br := b[k*ldb : k*ldb+cols]
			for n := range cr {
				cr[n] += av * br[n]
			}
		}
	}
}

func convKernKMGo(a []float32, lda int, b []float32, ldb int, c []float32, kc int, acc bool) {
	const rows, cols = convKernKMRows, convKernCols
	c = c[:rows*cols]
	if !acc {
		clear(c)
	}
	if kc == 0 {
		return
	}
	_ = a[(kc-1)*lda+rows-1]
	_ = b[(kc-1)*ldb+cols-1]
	for k := 0; k < kc; k++ {
		ak := (*[rows]float32)(a[k*lda : k*lda+rows])
		br := (*[cols]float32)(b[k*ldb : k*ldb+cols])
		for r, av := range ak {
			cr := (*[cols]float32)(c[r*cols : (r+1)*cols])
			for n := range cr {
				cr[n] += av * br[n]
			}
		}
	}
}

// convDotRowsGo is convKernels.dotRows in Go.
func convDotRowsGo(a []float32, lda, taps, tapStride int, w []float32, kc int, c []float32, ldc, rows int) {
	for i := 0; i < rows; i++ {
		var s float32
		for t := 0; t < taps; t++ {
			row := a[t*tapStride+i*lda : t*tapStride+i*lda+kc]
			wt := w[t*kc : (t+1)*kc]
			for k, v := range row {
				s += v * wt[k]
			}
		}
		c[i*ldc] = s
	}
}
