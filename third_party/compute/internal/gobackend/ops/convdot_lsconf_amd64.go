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
	if kc == 24 && taps == 3 {
		convDotRows3x24AVX2(a, lda, tapStride, w, c, ldc, rows)
		return
	}
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

// convDotRows3x24AVX2 is convDotRowsAVX2 for 3 taps of 24 values (a 3x3
// kernel over 8 channels, the decoder's output layer at W = 8): the
// kernel's 9 vectors stay in registers, two accumulators per row.
func convDotRows3x24AVX2(a []float32, lda, tapStride int, w []float32, c []float32, ldc, rows int) {
	w = w[:72]
	w0, w1, w2 := archsimd.LoadFloat32x8Slice(w[0:8]), archsimd.LoadFloat32x8Slice(w[8:16]), archsimd.LoadFloat32x8Slice(w[16:24])
	w3, w4, w5 := archsimd.LoadFloat32x8Slice(w[24:32]), archsimd.LoadFloat32x8Slice(w[32:40]), archsimd.LoadFloat32x8Slice(w[40:48])
	w6, w7, w8 := archsimd.LoadFloat32x8Slice(w[48:56]), archsimd.LoadFloat32x8Slice(w[56:64]), archsimd.LoadFloat32x8Slice(w[64:72])
	row := func(i int) archsimd.Float32x4 {
		r0 := a[i*lda : i*lda+24]
		r1 := a[tapStride+i*lda : tapStride+i*lda+24]
		r2 := a[2*tapStride+i*lda : 2*tapStride+i*lda+24]
		s0 := archsimd.LoadFloat32x8Slice(r0[0:8]).Mul(w0)
		s1 := archsimd.LoadFloat32x8Slice(r0[8:16]).Mul(w1)
		s0 = archsimd.LoadFloat32x8Slice(r0[16:24]).MulAdd(w2, s0)
		s1 = archsimd.LoadFloat32x8Slice(r1[0:8]).MulAdd(w3, s1)
		s0 = archsimd.LoadFloat32x8Slice(r1[8:16]).MulAdd(w4, s0)
		s1 = archsimd.LoadFloat32x8Slice(r1[16:24]).MulAdd(w5, s1)
		s0 = archsimd.LoadFloat32x8Slice(r2[0:8]).MulAdd(w6, s0)
		s1 = archsimd.LoadFloat32x8Slice(r2[8:16]).MulAdd(w7, s1)
		s0 = archsimd.LoadFloat32x8Slice(r2[16:24]).MulAdd(w8, s0)
		s0 = s0.Add(s1)
		return s0.GetLo().Add(s0.GetHi())
	}
	i := 0
	for ; i+4 <= rows; i += 4 {
		s := row(i).AddPairs(row(i + 1)).AddPairs(row(i + 2).AddPairs(row(i + 3)))
		c[i*ldc] = s.GetElem(0)
		c[(i+1)*ldc] = s.GetElem(1)
		c[(i+2)*ldc] = s.GetElem(2)
		c[(i+3)*ldc] = s.GetElem(3)
	}
	for ; i < rows; i++ {
		q := row(i)
		c[i*ldc] = q.AddPairs(q).AddPairs(q).GetElem(0)
	}
}
