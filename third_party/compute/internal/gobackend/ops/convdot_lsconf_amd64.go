// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package ops

import "simd/archsimd"

// lsconf fork: convKernels.dotRows of the AVX2 and AVX-512 sets: each
// row's dot product 8 products at a time with fused multiply-adds, the
// 8 lanes summed at the end, the last kc%8 values in Go.

// convDotRowsAVX2 is convDotRowsGo with 8-wide vectors.
func convDotRowsAVX2(a []float32, lda int, w []float32, kc int, c []float32, ldc, rows int, acc bool) {
	w = w[:kc]
	k8 := kc / 8 * 8
	var lanes [8]float32
	for i := 0; i < rows; i++ {
		row := a[i*lda : i*lda+kc]
		sum := archsimd.BroadcastFloat32x8(0)
		for k := 0; k < k8; k += 8 {
			sum = archsimd.LoadFloat32x8Slice(row[k:k+8]).MulAdd(archsimd.LoadFloat32x8Slice(w[k:k+8]), sum)
		}
		sum.Store(&lanes)
		s := ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]))
		for k := k8; k < kc; k++ {
			s += row[k] * w[k]
		}
		if acc {
			s += c[i*ldc]
		}
		c[i*ldc] = s
	}
}
