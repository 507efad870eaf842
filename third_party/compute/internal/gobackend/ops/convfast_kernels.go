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
// The pure-Go versions below are the fallback; on amd64 with AVX-512 (and
// GOEXPERIMENT=simd, for the CPU feature detection) Go-assembly versions
// replace them (convfast_kernels_amd64.go).

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
}

// convKernelsGo are the pure-Go micro-kernels.
var convKernelsGo = convKernels{name: "go", kernRM32: convKernRM32Go, kernRM16: convKernRM16Go, kernKM: convKernKMGo}

// convKernelsBest are the fastest micro-kernels for this CPU; set once at
// init (convfast_kernels_amd64.go).
var convKernelsBest = convKernelsGo

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
