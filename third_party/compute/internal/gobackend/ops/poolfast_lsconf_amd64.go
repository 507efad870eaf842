// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package ops

import "simd/archsimd"

// lsconf fork: the max pool's row function (convKernels.poolMax) of the
// AVX2 and AVX-512 kernel sets, 8 channels at a time in simd/archsimd.

// poolMaxAVX2 is poolMaxGo with 8-wide vectors, bit for bit: the first
// window position's values are taken as they are (max(lowest, v) is v),
// the others go through fmax8.
func poolMaxAVX2(o, in []float32, start int, offsets []int) {
	c := len(o)
	if len(offsets) == 0 {
		poolMaxGo(o, in, start, offsets)
		return
	}
	first := start + offsets[0]
	i := 0
	for ; i+8 <= c; i += 8 {
		acc := archsimd.LoadFloat32x8Slice(in[first+i : first+i+8])
		for _, off := range offsets[1:] {
			acc = fmax8(acc, archsimd.LoadFloat32x8Slice(in[start+off+i:start+off+i+8]))
		}
		acc.StoreSlice(o[i : i+8])
	}
	// The remaining channels (fewer than 8), as poolMaxGo.
	for ; i < c; i++ {
		v := in[first+i]
		for _, off := range offsets[1:] {
			v = max(v, in[start+off+i])
		}
		o[i] = v
	}
}

// poolScatterAVX2 is convKernels.poolScatter 8 channels at a time: the
// selection of selectAndScatterMaxFast's loop (v replaces the best when
// v > best or v is NaN) with vector compares, then the adds one by one.
func poolScatterAVX2(out, in, src []float32, start int, offsets []int) int {
	c := len(src) / 8 * 8
	if len(offsets) == 0 {
		return 0
	}
	var sel [8]int32
	for i := 0; i < c; i += 8 {
		best := archsimd.LoadFloat32x8Slice(in[start+i : start+i+8])
		bestOff := archsimd.BroadcastInt32x8(int32(start))
		for _, off := range offsets[1:] {
			v := archsimd.LoadFloat32x8Slice(in[start+off+i : start+off+i+8])
			m := v.Greater(best).Or(v.IsNaN())
			best = v.Merge(best, m)
			bestOff = archsimd.BroadcastInt32x8(int32(start+off)).Merge(bestOff, m)
		}
		bestOff.Store(&sel)
		for j, o := range sel {
			out[int(o)+i+j] += src[i+j]
		}
	}
	return c
}

// fmax8 is Go's max(x, y) on each pair, bit for bit as the Go compiler
// emits it on amd64, -(MINSS(-x, -y) | MINSS(-y, -x)) with | bitwise:
// the larger of two ordered, different values; else (equal values, +0
// and -0, or a NaN operand, where MINSS returns its second operand) the
// bits ((x ^ s) | (y ^ s)) ^ s, s the sign bit: +0 over -0, and a NaN
// whose payload is ORed with the other operand's bits. (Written out rather
// than with two Mins: the compiler may merge x.Min(y) and y.Min(x).)
func fmax8(x, y archsimd.Float32x8) archsimd.Float32x8 {
	sign := archsimd.BroadcastInt32x8(-1 << 31)
	r := x.AsInt32x8().Xor(sign).Or(y.AsInt32x8().Xor(sign)).Xor(sign).AsFloat32x8()
	r = x.Merge(r, x.Greater(y))
	return y.Merge(r, y.Greater(x))
}
