// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// logisticClose reports whether a vector logistic's value got is within
// 4 float32 ulps (relative 2^-21) of upstream's want, or both are NaN, or
// both are below 1e-37 (the underflow region, which upstream reaches at
// -104 and the vector form at -87).
func logisticClose(got, want float32) bool {
	if want != want {
		return got != got
	}
	if math.Abs(float64(got)) < 1e-37 && math.Abs(float64(want)) < 1e-37 {
		return true
	}
	return math.Abs(float64(got-want)) <= math.Abs(float64(want))*(1.0/(1<<21))
}

// lsconf fork: TestLogisticKernels checks each kernel set's logistic
// against upstream's loop: random values over [-120, 120] and [-3, 3],
// the edges of the float32 exponent range, signed zeros, infinities and
// NaN, every length to 70 (the vector body and the tail).
func TestLogisticKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-8, -1e-8, 0.5, -0.5, 1, -1, 15, -15, 16.6, -16.6, 17, -17,
		86.9, -86.9, 87, -87, 87.5, -87.5, 88.8, -88.8, 103, -103, 104, -104, 120, -120,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32}
	var src []float32
	src = append(src, special...)
	for i := 0; i < 4000; i++ {
		src = append(src, float32(rng.Float64()*240-120), float32(rng.Float64()*6-3))
	}
	want := make([]float32, len(src))
	execLogisticGeneric(src, want)
	tested := 0
	for _, ks := range convKernelsAvailable {
		if ks.logistic == nil {
			continue
		}
		tested++
		got := make([]float32, len(src))
		ks.logistic(got, src)
		for i := range src {
			if !logisticClose(got[i], want[i]) {
				t.Fatalf("kernels %s: logistic(%g) = %g, upstream %g", ks.name, src[i], got[i], want[i])
			}
		}
		for n := 0; n <= 70; n++ {
			off := rng.IntN(len(src) - n)
			got := make([]float32, n+1)
			got[n] = 42 // past the end: must stay
			ks.logistic(got[:n], src[off:off+n])
			for i := 0; i < n; i++ {
				if !logisticClose(got[i], want[off+i]) {
					t.Fatalf("kernels %s, length %d: logistic(%g) = %g, upstream %g", ks.name, n, src[off+i], got[i], want[off+i])
				}
			}
			if got[n] != 42 {
				t.Fatalf("kernels %s, length %d: wrote past the end", ks.name, n)
			}
		}
	}
	if tested == 0 {
		t.Skip("no kernel set with a vector logistic on this CPU")
	}
}
