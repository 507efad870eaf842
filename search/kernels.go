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
