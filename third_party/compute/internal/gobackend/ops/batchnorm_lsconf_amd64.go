// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package ops

import "simd/archsimd"

// lsconf fork: the batch norm's row loops (convKernels.bnSums and
// bnAffine) of the AVX2 and AVX-512 kernel sets, 8 features at a time in
// simd/archsimd. Each lane does the Go loop's operations in its order
// (multiplies and adds, no fused multiply-add), so the values are the same
// bit for bit.

// bnSumsAVX2 is convKernels.bnSums for feat a multiple of 8: per block of
// 8 features, the sums stay in registers over the rows.
func bnSumsAVX2(a, b []float32, feat, o0, o1 int, ct, t1, t2 []float32) bool {
	if feat%8 != 0 {
		return false
	}
	for f := 0; f < feat; f += 8 {
		s1 := archsimd.LoadFloat32x8Slice(t1[f : f+8])
		s2 := archsimd.LoadFloat32x8Slice(t2[f : f+8])
		c := archsimd.LoadFloat32x8Slice(ct[f : f+8])
		for o := o0; o < o1; o++ {
			i := o*feat + f
			v := archsimd.LoadFloat32x8Slice(a[i : i+8])
			s1 = s1.Add(v)
			if b == nil {
				d := v.Sub(c)
				s2 = s2.Add(d.Mul(d))
			} else {
				s2 = s2.Add(v.Mul(archsimd.LoadFloat32x8Slice(b[i : i+8]).Sub(c)))
			}
		}
		s1.StoreSlice(t1[f : f+8])
		s2.StoreSlice(t2[f : f+8])
	}
	return true
}

// bnAffineAVX2 is convKernels.bnAffine for feat a multiple of 8.
func bnAffineAVX2(x, y, out []float32, feat, o0, o1 int, a, b, c []float32) bool {
	if feat%8 != 0 {
		return false
	}
	for f := 0; f < feat; f += 8 {
		av := archsimd.LoadFloat32x8Slice(a[f : f+8])
		bv := archsimd.LoadFloat32x8Slice(b[f : f+8])
		cv := archsimd.LoadFloat32x8Slice(c[f : f+8])
		for o := o0; o < o1; o++ {
			i := o*feat + f
			v := archsimd.LoadFloat32x8Slice(x[i : i+8]).Mul(av)
			if y != nil {
				v = v.Add(archsimd.LoadFloat32x8Slice(y[i : i+8]).Mul(bv))
			}
			v.Add(cv).StoreSlice(out[i : i+8])
		}
	}
	return true
}
