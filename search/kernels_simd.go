//go:build goexperiment.simd && amd64

package search

import (
	"math/bits"
	"simd/archsimd"
)

// useAVX selects the 8-wide kernels (VMINPS, VADDPS). For the finite,
// non-negative, non-(-0) values of v and q they give the same bits as the
// scalar min and +, lane by lane, so scores stay identical to Scan's.
var useAVX = archsimd.X86.AVX()

// minInto sets num[j] = min(q, v[j]).
func minInto(num []float32, q float32, v []float32) {
	if !useAVX {
		minIntoGeneric(num, q, v)
		return
	}
	v = v[:len(num)]
	qq := archsimd.BroadcastFloat32x8(q)
	n := len(num) &^ 7
	for j := 0; j < n; j += 8 {
		archsimd.LoadFloat32x8Slice(v[j:]).Min(qq).StoreSlice(num[j:])
	}
	minIntoGeneric(num[n:], q, v[n:])
}

// addMin adds min(q, v[j]) to num[j].
func addMin(num []float32, q float32, v []float32) {
	if !useAVX {
		addMinGeneric(num, q, v)
		return
	}
	v = v[:len(num)]
	qq := archsimd.BroadcastFloat32x8(q)
	n := len(num) &^ 7
	for j := 0; j < n; j += 8 {
		m := archsimd.LoadFloat32x8Slice(v[j:]).Min(qq)
		archsimd.LoadFloat32x8Slice(num[j:]).Add(m).StoreSlice(num[j:])
	}
	addMinGeneric(num[n:], q, v[n:])
}

// keep appends to idx the positions j whose num[j] reaches
// thr*max(sq, sums[j]) (float32, lane by lane as keepGeneric).
func keep(num, sums []float32, sq, thr float32, idx []int32) []int32 {
	if !useAVX {
		return keepGeneric(num, sums, sq, thr, 0, idx)
	}
	sums = sums[:len(num)]
	sqq := archsimd.BroadcastFloat32x8(sq)
	tt := archsimd.BroadcastFloat32x8(thr)
	n := len(num) &^ 7
	for j := 0; j < n; j += 8 {
		den := archsimd.LoadFloat32x8Slice(sums[j:]).Max(sqq)
		pruned := archsimd.LoadFloat32x8Slice(num[j:]).Less(den.Mul(tt)).ToBits()
		for m := ^pruned; m != 0; m &= m - 1 {
			idx = append(idx, int32(j+bits.TrailingZeros8(m)))
		}
	}
	return keepGeneric(num[n:], sums[n:], sq, thr, int32(n), idx)
}
