//go:build !(goexperiment.simd && amd64)

package search

// minInto sets num[j] = min(q, v[j]).
func minInto(num []float32, q float32, v []float32) { minIntoGeneric(num, q, v) }

// addMin adds min(q, v[j]) to num[j].
func addMin(num []float32, q float32, v []float32) { addMinGeneric(num, q, v) }

// keep appends to idx the positions j whose num[j] reaches
// thr*max(sq, sums[j]).
func keep(num, sums []float32, sq, thr float32, idx []int32) []int32 {
	return keepGeneric(num, sums, sq, thr, 0, idx)
}
