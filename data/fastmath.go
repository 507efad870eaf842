package data

import "math"

// exp is e^x in pure Go. The standard library's assembly math.Exp runs
// about 100 times slower (1-3 us a call) in binaries built with
// GOEXPERIMENT=simd, as lsconf's are, on the machines measured (an
// SSE/AVX transition penalty); the renderers call exp per pixel. Relative
// error below 2e-15 (Cody-Waite reduction, degree-13 Taylor polynomial);
// results below 2^-1022 (x < -708) flush to 0.
func exp(x float64) float64 {
	switch {
	case x != x:
		return x
	case x > 709.7:
		return math.Inf(1)
	case x < -708:
		return 0
	}
	const (
		ln2Hi  = 6.93147180369123816490e-01
		ln2Lo  = 1.90821492927058770002e-10
		log2e  = 1.44269504088896338700e+00
		maxPow = 1023
	)
	k := math.Floor(x*log2e + 0.5)
	r := (x - k*ln2Hi) - k*ln2Lo
	// e^r for |r| <= ln2/2, Horner.
	p := 1.0 / 6227020800
	for _, c := range [...]float64{1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24, 1.0 / 6, 0.5, 1, 1} {
		p = p*r + c
	}
	// k is in [-1021, 1024]; 2^1024 overflows the exponent field, so
	// scale by 2^(k-1) twice.
	half := math.Float64frombits(uint64(int64(k)-1+maxPow) << 52)
	return p * half * 2
}

// tanh is the hyperbolic tangent through exp.
func tanh(x float64) float64 {
	if x > 20 {
		return 1
	}
	if x < -20 {
		return -1
	}
	e := exp(2 * x)
	return (e - 1) / (e + 1)
}
