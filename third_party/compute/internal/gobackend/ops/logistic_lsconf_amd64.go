// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package ops

import "simd/archsimd"

// lsconf fork: the float32 logistic (sigmoid) of the AVX2 and AVX-512
// kernel sets (convKernels.logistic), 8 values at a time in
// simd/archsimd, in float32: e = exp(-|x|) by range reduction
// (e = 2^k * exp(r), |r| <= ln2/2) and Cephes' degree-6 polynomial for
// exp(r), then 1/(1+e) for x >= 0 and e/(1+e) below. Within a few float32
// ulps of upstream's float64 math.Exp form (TestLogisticKernels); NaN
// gives NaN; below -87 (where exp underflows) 0, as upstream does from
// -104.

// logisticAVX2 writes the logistic of src to dst (same length).
func logisticAVX2(dst, src []float32) {
	n := len(src)
	dst = dst[:n]
	const (
		log2e  = 1.44269504088896341
		ln2Hi  = 0.693359375
		ln2Lo  = -2.12194440e-4
		expMin = -87.0
	)
	var (
		signMask = archsimd.BroadcastInt32x8(0x7fffffff)
		cLog2e   = archsimd.BroadcastFloat32x8(log2e)
		cLn2Hi   = archsimd.BroadcastFloat32x8(ln2Hi)
		cLn2Lo   = archsimd.BroadcastFloat32x8(ln2Lo)
		cMin     = archsimd.BroadcastFloat32x8(expMin)
		one      = archsimd.BroadcastFloat32x8(1)
		zero     = archsimd.BroadcastFloat32x8(0)
		p0       = archsimd.BroadcastFloat32x8(1.9875691500e-4)
		p1       = archsimd.BroadcastFloat32x8(1.3981999507e-3)
		p2       = archsimd.BroadcastFloat32x8(8.3334519073e-3)
		p3       = archsimd.BroadcastFloat32x8(4.1665795894e-2)
		p4       = archsimd.BroadcastFloat32x8(1.6666665459e-1)
		p5       = archsimd.BroadcastFloat32x8(5.0000001201e-1)
		bias     = archsimd.BroadcastInt32x8(127)
	)
	i := 0
	for ; i+8 <= n; i += 8 {
		x := archsimd.LoadFloat32x8Slice(src[i : i+8])
		t := x.AsInt32x8().And(signMask).AsFloat32x8() // |x| (NaN stays NaN)
		t = zero.Sub(t)                                // -|x|
		under := t.Less(cMin)
		t = t.Max(cMin) // (NaN: Max returns its second operand, fixed below)
		k := t.Mul(cLog2e).RoundToEven()
		r := t.Sub(k.Mul(cLn2Hi)).Sub(k.Mul(cLn2Lo))
		p := p0.Mul(r).Add(p1)
		p = p.Mul(r).Add(p2)
		p = p.Mul(r).Add(p3)
		p = p.Mul(r).Add(p4)
		p = p.Mul(r).Add(p5)
		p = p.Mul(r.Mul(r)).Add(r).Add(one)
		scale := k.ConvertToInt32().Add(bias).ShiftAllLeft(23).AsFloat32x8()
		e := p.Mul(scale)
		d := one.Div(one.Add(e))
		y := e.Mul(d).Merge(d, x.Less(zero)) // e/(1+e) where x < 0, else 1/(1+e)
		y = zero.Merge(y, under.And(x.Less(zero)))
		y = x.Merge(y, x.IsNaN())
		y.StoreSlice(dst[i : i+8])
	}
	if i < n {
		execLogisticGeneric(src[i:], dst[i:])
	}
}
