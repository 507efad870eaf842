//go:build !(goexperiment.simd && amd64)

package search

// minInto sets num[j] = min(q, v[j]).
func minInto(num []float32, q float32, v []float32) { minIntoGeneric(num, q, v) }

// addMin adds min(q, v[j]) to num[j].
func addMin(num []float32, q float32, v []float32) { addMinGeneric(num, q, v) }
