package data

import (
	"math"
	"testing"
)

func TestExpMatchesMath(t *testing.T) {
	// Below -708 exp flushes to 0 (math.Exp gives subnormals there).
	for x := -708.0; x < 709.7; x += 0.0137 {
		want := math.Exp(x)
		got := exp(x)
		if math.Abs(got-want) > 2e-15*want {
			t.Fatalf("exp(%v) = %v, want %v", x, got, want)
		}
	}
	if !math.IsInf(exp(710), 1) || exp(-800) != 0 || !math.IsNaN(exp(math.NaN())) {
		t.Fatal("exp special cases")
	}
	for _, x := range []float64{-30, -3, -0.5, 0, 0.1, 2, 30} {
		if math.Abs(tanh(x)-math.Tanh(x)) > 1e-15 {
			t.Fatalf("tanh(%v) = %v, want %v", x, tanh(x), math.Tanh(x))
		}
	}
}

func TestRNG(t *testing.T) {
	a, b, c := newRNG(1, 2), newRNG(1, 2), newRNG(2, 1)
	for i := 0; i < 100; i++ {
		x, y, z := a.u64(), b.u64(), c.u64()
		if x != y {
			t.Fatal("same keys, different streams")
		}
		if x == z {
			t.Fatal("keys (1,2) and (2,1) collide")
		}
	}
	r := newRNG(3)
	counts := make([]int, 7)
	var sum, sum2 float64
	for i := 0; i < 70000; i++ {
		k := r.intn(7)
		counts[k]++
		f := r.float()
		if f < 0 || f >= 1 {
			t.Fatalf("float %v", f)
		}
		n := r.norm()
		sum += n
		sum2 += n * n
	}
	for k, n := range counts {
		if n < 9500 || n > 10500 {
			t.Fatalf("intn(7) gave %d %d times of 70000", k, n)
		}
	}
	if m, v := sum/70000, sum2/70000; math.Abs(m) > 0.02 || math.Abs(v-1) > 0.03 {
		t.Fatalf("norm: mean %v variance %v", m, v)
	}
	if x := r.logUniform(2, 8); x < 2 || x >= 8 {
		t.Fatalf("logUniform %v", x)
	}
}
