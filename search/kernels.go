package search

// minIntoGeneric sets num[j] = min(q, v[j]); v has at least len(num) values.
func minIntoGeneric(num []float32, q float32, v []float32) {
	v = v[:len(num)]
	for j := range num {
		num[j] = min(q, v[j])
	}
}

// addMinGeneric adds min(q, v[j]) to num[j].
func addMinGeneric(num []float32, q float32, v []float32) {
	v = v[:len(num)]
	for j := range num {
		num[j] += min(q, v[j])
	}
}

// keepGeneric appends to idx the positions j whose num[j] reaches
// thr*max(sq, sums[j]) in float32 (the candidates a threshold leaves).
func keepGeneric(num, sums []float32, sq, thr float32, base int32, idx []int32) []int32 {
	sums = sums[:len(num)]
	for j, n := range num {
		if !(n < thr*max(sq, sums[j])) {
			idx = append(idx, base+int32(j))
		}
	}
	return idx
}
