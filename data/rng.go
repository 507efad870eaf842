package data

import (
	"math"
	"math/bits"
)

// rng is a small deterministic random generator (SplitMix64). lsconf uses
// its own generator rather than math/rand so that the data are identical
// across Go releases: the same seed gives the same bytes forever.
type rng struct{ s uint64 }

// mix64 is SplitMix64's finaliser: a bijective hash of 64 bits.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// newRNG returns a generator for the stream named by keys (e.g. seed,
// purpose, class, index): different keys give independent streams.
func newRNG(keys ...uint64) *rng {
	h := uint64(0x6a09e667f3bcc909)
	for _, k := range keys {
		h = mix64(h ^ mix64(k+0x9e3779b97f4a7c15))
	}
	return &rng{s: h}
}

// u64 returns 64 random bits.
func (r *rng) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix64(r.s)
}

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

// uniform returns a uniform value in [a, b).
func (r *rng) uniform(a, b float64) float64 { return a + (b-a)*r.float() }

// logUniform returns a value whose log is uniform in [log a, log b).
func (r *rng) logUniform(a, b float64) float64 {
	return exp(r.uniform(math.Log(a), math.Log(b)))
}

// intn returns a uniform integer in [0, n); n > 0.
func (r *rng) intn(n int) int {
	// Lemire's multiply-shift; the tiny bias (< n/2^64) is irrelevant here.
	hi, _ := bits.Mul64(r.u64(), uint64(n))
	return int(hi)
}

// chance returns true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// sign returns -1 or +1 with equal probability.
func (r *rng) sign() float64 {
	if r.u64()&1 == 0 {
		return -1
	}
	return 1
}

// norm returns a standard normal value (Box-Muller).
func (r *rng) norm() float64 {
	u := 1 - r.float() // (0, 1]
	v := r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*v)
}

// pick returns an index drawn with the given (unnormalised) weights.
func (r *rng) pick(weights ...float64) int {
	t := 0.0
	for _, w := range weights {
		t += w
	}
	x := r.float() * t
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// perm returns a random permutation of [0, n) as int32 (Fisher-Yates).
func (r *rng) perm(n int) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	r.shuffle(p)
	return p
}

// shuffle permutes p in place (Fisher-Yates).
func (r *rng) shuffle(p []int32) {
	for i := len(p) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}
