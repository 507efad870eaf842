// Copyright 2026 lsconf authors. SPDX-License-Identifier: Apache-2.0

package ops

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBatchNormKernels checks each kernel set's batch-norm row loops
// (convKernels.bnSums, bnAffine) against the Go loops of batchnorm.go,
// bit for bit, with and without the second operand, and that they decline
// a feature count they do not take.
func TestBatchNormKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	randSlice := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = float32(rng.NormFloat64())
		}
		return s
	}
	tested := 0
	for _, ks := range convKernelsAvailable {
		if ks.bnSums == nil || ks.bnAffine == nil {
			continue
		}
		for _, feat := range []int{8, 16, 24, 64, 3, 12} {
			const rows = 37
			a, b := randSlice(rows*feat), randSlice(rows*feat)
			ct, ka, kb, kc := randSlice(feat), randSlice(feat), randSlice(feat), randSlice(feat)
			for _, withB := range []bool{false, true} {
				bb := b
				if !withB {
					bb = nil
				}
				t1, t2 := randSlice(feat), randSlice(feat)
				w1, w2 := append([]float32(nil), t1...), append([]float32(nil), t2...)
				took := ks.bnSums(a, bb, feat, 2, rows, ct, t1, t2)
				if took != (feat%8 == 0) {
					t.Fatalf("kernels %s: bnSums took feat %d: %v", ks.name, feat, took)
				}
				if !took {
					continue
				}
				for o := 2; o < rows; o++ {
					for f := 0; f < feat; f++ {
						v := a[o*feat+f]
						w1[f] += v
						if bb == nil {
							d := v - ct[f]
							w2[f] += d * d
						} else {
							w2[f] += v * (bb[o*feat+f] - ct[f])
						}
					}
				}
				for f := range w1 {
					if math.Float32bits(t1[f]) != math.Float32bits(w1[f]) || math.Float32bits(t2[f]) != math.Float32bits(w2[f]) {
						t.Fatalf("kernels %s, feat %d, b %v: sums of feature %d = %g, %g; Go %g, %g", ks.name, feat, withB, f, t1[f], t2[f], w1[f], w2[f])
					}
				}
				out, want := make([]float32, rows*feat), make([]float32, rows*feat)
				if !ks.bnAffine(a, bb, out, feat, 1, rows, ka, kb, kc) {
					t.Fatalf("kernels %s: bnAffine declined feat %d", ks.name, feat)
				}
				for o := 1; o < rows; o++ {
					for f := 0; f < feat; f++ {
						i := o*feat + f
						if bb == nil {
							want[i] = a[i]*ka[f] + kc[f]
						} else {
							want[i] = a[i]*ka[f] + bb[i]*kb[f] + kc[f]
						}
					}
				}
				for i := range want {
					if math.Float32bits(out[i]) != math.Float32bits(want[i]) {
						t.Fatalf("kernels %s, feat %d, b %v: affine value %d = %g, Go %g", ks.name, feat, withB, i, out[i], want[i])
					}
				}
				tested++
			}
		}
	}
	if tested == 0 {
		t.Skip("no kernel set with SIMD batch-norm loops on this CPU or build")
	}
}
