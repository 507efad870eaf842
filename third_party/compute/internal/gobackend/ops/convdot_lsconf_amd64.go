// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package ops

import "simd/archsimd"

// lsconf fork: convKernels.dotRows of the AVX2 and AVX-512 sets: each
// row's products 8 at a time with fused multiply-adds over all taps into
// one vector, then four rows' vectors summed across their lanes together
// (halves added, then two rounds of pairwise adds); the last kc%8 values
// of each tap in Go.

// convDotRowsAVX2 is convDotRowsGo with 8-wide vectors.
func convDotRowsAVX2(a []float32, lda, taps, tapStride int, w []float32, kc int, c []float32, ldc, rows int) {
	k8 := kc / 8 * 8
	row := func(i int) (archsimd.Float32x4, float32) {
		sum := archsimd.BroadcastFloat32x8(0)
		var tail float32
		for t := 0; t < taps; t++ {
			r := a[t*tapStride+i*lda : t*tapStride+i*lda+kc]
			wt := w[t*kc : (t+1)*kc]
			for k := 0; k < k8; k += 8 {
				sum = archsimd.LoadFloat32x8Slice(r[k:k+8]).MulAdd(archsimd.LoadFloat32x8Slice(wt[k:k+8]), sum)
			}
			for k := k8; k < kc; k++ {
				tail += r[k] * wt[k]
			}
		}
		return sum.GetLo().Add(sum.GetHi()), tail
	}
	i := 0
	for ; i+4 <= rows; i += 4 {
		q0, e0 := row(i)
		q1, e1 := row(i + 1)
		q2, e2 := row(i + 2)
		q3, e3 := row(i + 3)
		s := q0.AddPairs(q1).AddPairs(q2.AddPairs(q3))
		c[i*ldc] = s.GetElem(0) + e0
		c[(i+1)*ldc] = s.GetElem(1) + e1
		c[(i+2)*ldc] = s.GetElem(2) + e2
		c[(i+3)*ldc] = s.GetElem(3) + e3
	}
	for ; i < rows; i++ {
		q, e := row(i)
		s := q.AddPairs(q).AddPairs(q)
		c[i*ldc] = s.GetElem(0) + e
	}
}
