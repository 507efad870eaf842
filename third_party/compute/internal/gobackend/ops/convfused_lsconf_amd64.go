// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

//go:build amd64 && goexperiment.simd

package ops

import "simd/archsimd"

// lsconf fork: the fused convolution epilogue (convfused_lsconf.go) of the
// AVX2 and AVX-512 kernel sets, in simd/archsimd: a memory-bound add and
// compare-and-mask, where the compiler's code is as good as assembly.

// convEpiAVX2 is convEpiGo with 8-wide AVX2 vectors.
func convEpiAVX2(dst, src, bias []float32, relu bool) {
	n := len(src)
	dst = dst[:n]
	if bias != nil {
		bias = bias[:n]
	}
	zero := archsimd.BroadcastFloat32x8(0)
	i := 0
	for ; i+8 <= n; i += 8 {
		v := archsimd.LoadFloat32x8Slice(src[i : i+8])
		if bias != nil {
			v = v.Add(archsimd.LoadFloat32x8Slice(bias[i : i+8]))
		}
		if relu {
			v = v.Masked(v.Greater(zero))
		}
		v.StoreSlice(dst[i : i+8])
	}
	if i < n {
		var bt []float32
		if bias != nil {
			bt = bias[i:]
		}
		convEpiGo(dst[i:], src[i:], bt, relu)
	}
}

// convEpiAVX512 is convEpiGo with 16-wide AVX-512 vectors (mask
// registers for the ReLU), then one 8-wide step.
func convEpiAVX512(dst, src, bias []float32, relu bool) {
	n := len(src)
	dst = dst[:n]
	if bias != nil {
		bias = bias[:n]
	}
	zero := archsimd.BroadcastFloat32x16(0)
	i := 0
	for ; i+16 <= n; i += 16 {
		v := archsimd.LoadFloat32x16Slice(src[i : i+16])
		if bias != nil {
			v = v.Add(archsimd.LoadFloat32x16Slice(bias[i : i+16]))
		}
		if relu {
			v = v.Masked(v.Greater(zero))
		}
		v.StoreSlice(dst[i : i+16])
	}
	if i < n {
		var bt []float32
		if bias != nil {
			bt = bias[i:]
		}
		convEpiAVX2(dst[i:], src[i:], bt, relu)
	}
}

// convEpiRowsAVX2 is convEpiRowsGo with convEpiAVX2's vectors, the row
// loop inside (one call per run of output pixels).
func convEpiRowsAVX2(dst []float32, ldd int, src []float32, lds, rows, n int, bias []float32, relu bool) {
	if n%8 != 0 {
		for r := 0; r < rows; r++ {
			convEpiAVX2(dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n], bias, relu)
		}
		return
	}
	zero := archsimd.BroadcastFloat32x8(0)
	if n == 8 {
		// One vector per row (8 output channels): the bias loaded once.
		bv := zero
		if bias != nil {
			bv = archsimd.LoadFloat32x8Slice(bias[:8])
		}
		for r := 0; r < rows; r++ {
			v := archsimd.LoadFloat32x8Slice(src[r*lds : r*lds+8])
			if bias != nil {
				v = v.Add(bv)
			}
			if relu {
				v = v.Masked(v.Greater(zero))
			}
			v.StoreSlice(dst[r*ldd : r*ldd+8])
		}
		return
	}
	for r := 0; r < rows; r++ {
		d, s := dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n]
		for i := 0; i+8 <= n; i += 8 {
			v := archsimd.LoadFloat32x8Slice(s[i : i+8])
			if bias != nil {
				v = v.Add(archsimd.LoadFloat32x8Slice(bias[i : i+8]))
			}
			if relu {
				v = v.Masked(v.Greater(zero))
			}
			v.StoreSlice(d[i : i+8])
		}
	}
}

// convEpiRowsAVX512 is convEpiRowsGo with 16-wide vectors (8-wide rows
// go to convEpiRowsAVX2).
func convEpiRowsAVX512(dst []float32, ldd int, src []float32, lds, rows, n int, bias []float32, relu bool) {
	if n%16 != 0 {
		convEpiRowsAVX2(dst, ldd, src, lds, rows, n, bias, relu)
		return
	}
	zero := archsimd.BroadcastFloat32x16(0)
	if n == 16 {
		// One vector per row (16 output channels): the bias loaded once.
		bv := zero
		if bias != nil {
			bv = archsimd.LoadFloat32x16Slice(bias[:16])
		}
		for r := 0; r < rows; r++ {
			v := archsimd.LoadFloat32x16Slice(src[r*lds : r*lds+16])
			if bias != nil {
				v = v.Add(bv)
			}
			if relu {
				v = v.Masked(v.Greater(zero))
			}
			v.StoreSlice(dst[r*ldd : r*ldd+16])
		}
		return
	}
	for r := 0; r < rows; r++ {
		d, s := dst[r*ldd:r*ldd+n], src[r*lds:r*lds+n]
		for i := 0; i+16 <= n; i += 16 {
			v := archsimd.LoadFloat32x16Slice(s[i : i+16])
			if bias != nil {
				v = v.Add(archsimd.LoadFloat32x16Slice(bias[i : i+16]))
			}
			if relu {
				v = v.Masked(v.Greater(zero))
			}
			v.StoreSlice(d[i : i+16])
		}
	}
}
