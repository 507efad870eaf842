package train

import (
	"fmt"
	"math"
)

// Cycle measures how the decoder and the encoder of a run invert each
// other on the configured layout: each class's centre decoded and encoded
// again, and points on the straight paths between every two centres.
type Cycle struct {
	Centres []CentreCycle `json:"centres"`
	// CentresWithin counts the centres whose round trip lands within r_c
	// of themselves.
	CentresWithin int `json:"centres_within"`
	// Steps is the number of points of each path, its two centres
	// included; only the Steps-2 inner points are measured.
	Steps int `json:"steps"`
	Pairs int `json:"pairs"`
	// Points is the number of inner path points; Nearer those whose round
	// trip lands nearer to the point it was decoded from than to any
	// centre, NearerShare their share.
	Points      int     `json:"points"`
	Nearer      int     `json:"nearer"`
	NearerShare float64 `json:"nearer_share"`
	// NearerOffPath counts the inner path points whose round trip lands
	// nearer to the point than to any centre other than the path's two
	// ends (it stays between its two classes), NearerOffPathShare their
	// share.
	NearerOffPath      int     `json:"nearer_off_path"`
	NearerOffPathShare float64 `json:"nearer_off_path_share"`
	// MeanSegmentDistance is the mean distance between a round trip and
	// the segment its point lies on.
	MeanSegmentDistance float64 `json:"mean_segment_distance"`
	// MeanPathError is the mean distance between an inner path point and
	// its round trip; MeanRd is R_d, for scale.
	MeanPathError float64 `json:"mean_path_error"`
	Rd            float64 `json:"r_d"`
	// RoundTrip is what the round-trip correction did to the centres and
	// path points; nil for plain decoding.
	RoundTrip *RoundTripStats `json:"round_trip,omitempty"`
}

// CentreCycle is one centre's round trip.
type CentreCycle struct {
	Class string `json:"class"`
	// Distance is |E(D(C)) - C|; Radius is the class's r_c.
	Distance float64 `json:"distance"`
	Radius   float64 `json:"radius"`
	Within   bool    `json:"within"`
	// Nearest is the class of the centre nearest to the round trip.
	Nearest string `json:"nearest"`
}

// Cycle decodes the run's centres and the points of the paths between
// every two centres (steps points each, ends included; steps >= 3) and
// encodes the images again. The points are decoded with the round-trip
// correction rt (plain decoding when rt.Iterations is 0). A run without a
// decoder is an error.
func (r *Run) Cycle(steps int, rt RoundTrip) (*Cycle, error) {
	if !r.HasDecoder() {
		return nil, fmt.Errorf("cycle of run %s: the run has no decoder", r.dir)
	}
	if steps < 3 {
		return nil, fmt.Errorf("cycle of run %s: %d steps per path, need at least 3", r.dir, steps)
	}
	l := r.Layout()
	nc, nd := l.NC(), l.ND()
	var pts []float32
	type pair struct{ a, b int }
	var ends []pair // the path of each inner point
	for c := 0; c < nc; c++ {
		for _, v := range l.Center(c) {
			pts = append(pts, float32(v))
		}
	}
	for i := 0; i < nc; i++ {
		for j := i + 1; j < nc; j++ {
			for _, p := range Path(l.Center(i), l.Center(j), steps)[1 : steps-1] {
				ends = append(ends, pair{i, j})
				for _, v := range p {
					pts = append(pts, float32(v))
				}
			}
		}
	}
	n := len(pts) / nd
	img, _, st, err := r.DecodeRoundTrip(pts, n, rt)
	if err != nil {
		return nil, err
	}
	z, err := r.Encode(img, n)
	if err != nil {
		return nil, err
	}
	cy := &Cycle{Steps: steps, Pairs: nc * (nc - 1) / 2, Rd: l.Rd()}
	if rt.Iterations > 0 {
		cy.RoundTrip = &st
	}
	zi := make([]float64, nd)
	pi := make([]float64, nd)
	for k := 0; k < n; k++ {
		for d := 0; d < nd; d++ {
			zi[d], pi[d] = float64(z[k*nd+d]), float64(pts[k*nd+d])
		}
		dist, _ := l.Distances(zi)
		near := 0
		for c := range dist {
			if dist[c] < dist[near] {
				near = c
			}
		}
		self := math.Sqrt(dist2(zi, pi))
		if k < nc {
			cc := CentreCycle{Class: r.info.Classes[k], Distance: self, Radius: l.Radius(k), Within: self <= l.Radius(k), Nearest: r.info.Classes[near]}
			if cc.Within {
				cy.CentresWithin++
			}
			cy.Centres = append(cy.Centres, cc)
			continue
		}
		cy.Points++
		cy.MeanPathError += self
		if self < dist[near] {
			cy.Nearer++
		}
		e := ends[k-nc]
		off := math.Inf(1)
		for c := range dist {
			if c != e.a && c != e.b {
				off = min(off, dist[c])
			}
		}
		if self < off {
			cy.NearerOffPath++
		}
		cy.MeanSegmentDistance += segmentDistance(zi, l.Center(e.a), l.Center(e.b))
	}
	if cy.Points > 0 {
		cy.NearerShare = float64(cy.Nearer) / float64(cy.Points)
		cy.MeanPathError /= float64(cy.Points)
		cy.NearerOffPathShare = float64(cy.NearerOffPath) / float64(cy.Points)
		cy.MeanSegmentDistance /= float64(cy.Points)
	}
	return cy, nil
}

// Path returns steps points evenly spaced on the segment from a to b,
// both ends included.
func Path(a, b []float64, steps int) [][]float64 {
	out := make([][]float64, steps)
	for s := range out {
		t := float64(s) / float64(max(steps-1, 1))
		p := make([]float64, len(a))
		for k := range p {
			p[k] = (1-t)*a[k] + t*b[k]
		}
		out[s] = p
	}
	return out
}

// segmentDistance is the distance from p to the segment [a, b].
func segmentDistance(p, a, b []float64) float64 {
	var ab, ap float64
	for k := range p {
		ab += (b[k] - a[k]) * (b[k] - a[k])
		ap += (p[k] - a[k]) * (b[k] - a[k])
	}
	t := 0.0
	if ab > 0 {
		t = min(max(ap/ab, 0), 1)
	}
	q := make([]float64, len(p))
	for k := range q {
		q[k] = a[k] + t*(b[k]-a[k])
	}
	return math.Sqrt(dist2(p, q))
}
