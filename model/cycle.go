package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/gomlx/gomlx/core/graph"

	"github.com/lsconf/lsconf/latent"
)

// CycleTrains is the side of the autoencoder the cycle term trains.
type CycleTrains string

// The sides the cycle term can train.
const (
	// CycleBoth trains the decoder and the encoder ("" reads as it).
	CycleBoth CycleTrains = "both"
	// CycleDecoder trains the decoder only.
	CycleDecoder CycleTrains = "decoder"
	// CycleEncoder trains the encoder (and head) only.
	CycleEncoder CycleTrains = "encoder"
)

// ParseCycleTrains parses both, decoder or encoder ("" is both).
func ParseCycleTrains(s string) (CycleTrains, error) {
	switch CycleTrains(s) {
	case "", CycleBoth:
		return CycleBoth, nil
	case CycleDecoder, CycleEncoder:
		return CycleTrains(s), nil
	}
	return "", fmt.Errorf("cycle term trains %q: want both, decoder or encoder", s)
}

// CyclePointCount is the number of latent points CyclePoints draws for a
// layout of nc classes: the nc centres, nc points within r_c of them and
// 2 nc points on the segments between two centres.
func CyclePointCount(nc int) int { return 4 * nc }

// CyclePoints returns the latent points [CyclePointCount(n_c) x n_d] of
// the cycle-consistency term at train step step: every class's centre;
// one point drawn uniformly in each class's ball of radius r_c; and 2 n_c
// points on the straight segments between two distinct centres (pair
// and position drawn uniformly). The draw depends on seed and step only,
// so that a resumed run draws the same points.
func CyclePoints(l *latent.Layout, seed uint64, step int64) []float32 {
	nc, nd := l.NC(), l.ND()
	rng := rand.New(rand.NewPCG(seed^0xC7C1E5EED, uint64(step)))
	out := make([]float32, 0, CyclePointCount(nc)*nd)
	for c := 0; c < nc; c++ {
		for _, v := range l.Center(c) {
			out = append(out, float32(v))
		}
	}
	dir := make([]float64, nd)
	for c := 0; c < nc; c++ {
		var n2 float64
		for k := range dir {
			dir[k] = rng.NormFloat64()
			n2 += dir[k] * dir[k]
		}
		// A uniform point in the ball: radius r_c * u^(1/n_d).
		r := l.Radius(c) * math.Pow(rng.Float64(), 1/float64(nd)) / math.Sqrt(max(n2, 1e-300))
		for k, v := range l.Center(c) {
			out = append(out, float32(v+r*dir[k]))
		}
	}
	for s := 0; s < 2*nc; s++ {
		i := rng.IntN(nc)
		j := rng.IntN(nc - 1)
		if j >= i {
			j++
		}
		t := rng.Float64()
		a, b := l.Center(i), l.Center(j)
		for k := range a {
			out = append(out, float32((1-t)*a[k]+t*b[k]))
		}
	}
	return out
}

// CycleLoss is the latent cycle-consistency error of points zc [K, n_d]:
// the mean over the points of |E(D(zc)) - zc|^2 / r^2, with r the mean of
// the layout's radii (so that a round trip that lands r_c away costs 1).
// The decoder and the encoder run in inference mode (running batch-norm
// statistics), as lsconf decode uses them, so the decoded batch leaves
// the statistics of the real images alone. trains says which side
// receives the term's gradient: CycleDecoder (the decoder learns to draw
// images that the encoder maps back), CycleEncoder (the encoder learns to
// map the decoder's images back) or both.
func CycleLoss(c Config, params, bn []*graph.Node, zc *graph.Node, l *latent.Layout, trains CycleTrains) *graph.Node {
	c.inferGrad = true
	img, _ := Decode(c, params, bn, zc, false)
	if trains == CycleEncoder {
		img = graph.StopGradient(img)
	}
	enc := params
	if trains == CycleDecoder {
		enc = make([]*graph.Node, len(params))
		for i, p := range params {
			enc[i] = graph.StopGradient(p)
		}
	}
	z := Forward(c, enc, bn, img, false).Z
	var r2 float64
	for _, r := range l.Radii() {
		r2 += r
	}
	r2 /= float64(l.NC())
	r2 *= r2
	d2 := graph.ReduceSum(graph.Square(graph.Sub(z, zc)), 1)
	return graph.DivScalar(graph.ReduceAllMean(d2), r2)
}
