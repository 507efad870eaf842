package search

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKernelsMatchScalar: the vector kernels (8-wide with
// GOEXPERIMENT=simd on amd64) give the scalar results bit for bit, for
// lengths with and without a tail.
func TestKernelsMatchScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	val := func() float32 {
		switch rng.IntN(5) {
		case 0:
			return 0
		case 1:
			return math.SmallestNonzeroFloat32 * float32(rng.IntN(9))
		default:
			return float32(rng.Float64())
		}
	}
	for _, n := range []int{0, 1, 7, 8, 9, 64, 255, 256} {
		v, w, sums := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range v {
			v[i], w[i], sums[i] = val(), val(), 1+float32(rng.Float64())
		}
		for _, q := range []float32{0, 0.3, 1, math.SmallestNonzeroFloat32} {
			a, b := make([]float32, n), make([]float32, n)
			minInto(a, q, v)
			minIntoGeneric(b, q, v)
			addMin(a, 0.7, w)
			addMinGeneric(b, 0.7, w)
			for i := range a {
				if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
					t.Fatalf("n=%d q=%v: lane %d = %v, scalar %v", n, q, i, a[i], b[i])
				}
			}
			for _, thr := range []float32{0, 0.2, 0.5, 0.9} {
				got := keep(a, sums, 1.2, thr, nil)
				want := keepGeneric(b, sums, 1.2, thr, 0, nil)
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d thr=%v: keep %v, scalar %v", n, thr, got, want)
				}
			}
		}
	}
}
