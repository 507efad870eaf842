package search

import (
	"fmt"
	"math"
	"slices"

	"github.com/lsconf/lsconf/latent"
)

// Open set: every result carries its outside score, the score of the
// index's calibrated threshold (index.Identity.Outside's Rule: the distance
// head's MSP·d_c/|z| for a distance-head run, else, and without a
// threshold, the distance of its encoding to the nearest configured centre
// divided by r_c, latent.OutsideScore: <= 1 within a cluster's r_c), and
// an Outside flag (latent.IsOutside: v all zero, beyond R_d from every
// centre, eq 12; or, with a calibrated threshold, a score above it). A query whose v
// is all zero (a point outside every cluster) would score 0 against
// everything and so rank by record id, which means nothing: such a query
// is marked Outside with a Note, and its results are the records nearest
// to its point by Euclidean distance (Result.Distance), scores all 0.

// OutsideNote is the note of a query outside every cluster.
const OutsideNote = "the query is outside every cluster (its similarity vector is all zero): every score is 0, so the results are the records nearest to its point by distance"

// vZero reports whether a v vector is all zero.
func vZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// markOutside returns q with its Outside flag and Note set from its v
// (Run marks every query it builds).
func markOutside(q Query) Query {
	if vZero(q.V) {
		q.Outside, q.Note = true, OutsideNote
		if q.Point == nil {
			q.Note = "the query is outside every cluster (its similarity vector is all zero): every score is 0 and, without a point, the results are in record order"
		}
	}
	return q
}

// mark is markOutside plus the index's calibrated threshold: a query
// with a point (an image, a record, an LS point) whose score (by the
// threshold's rule) is above the threshold of the run that built the index is Unknown (an
// unknown input, latent.IsOutside), as is a query outside every cluster.
func (e *Searcher) mark(q Query) Query {
	q = markOutside(q)
	q.Unknown = q.Outside
	if q.Point != nil && len(q.Point) == e.Layout().ND() {
		q.Unknown = e.identity.Outside.OutsideZ(e.Layout(), q.Point, q.Outside)
	}
	return q
}

// OutsideRule says, for people, what "outside" means with calibration c
// (nil: the index has none) and whether the query is an unknown input
// (Query.Unknown).
func OutsideRule(c *latent.Calibration, unknown bool) string {
	rule := "outside = v all zero only (the index's run had no calibrated outside threshold; lsconf eval --calibrate, then index again)"
	if c != nil {
		rule = fmt.Sprintf("outside = more than %.3g r_c from every centre (calibrated: %.0f%% of %d held-out %s images within)", c.Threshold, 100*c.TPR, c.N, c.On)
		if c.Rule().Name() != latent.ScoreDistRc {
			rule = fmt.Sprintf("outside = open-set score %s above %.3g (calibrated: %.0f%% of %d held-out %s images at or below)", c.Rule().Name(), c.Threshold, 100*c.TPR, c.N, c.On)
		}
	}
	if unknown {
		return "the query is an unknown input; " + rule
	}
	return rule
}

// annotate fills the results' outside score and flag from the snapshot.
func (e *Searcher) annotate(res []Result) {
	l := e.Layout()
	for i := range res {
		p, ok := e.pos[res[i].ID]
		if !ok {
			continue
		}
		res[i].OutsideScore = e.identity.Outside.Rule().Of32(l, e.z(p))
		res[i].Outside = latent.IsOutside(e.identity.Outside, vZero(e.x.V(p)), res[i].OutsideScore)
		if math.IsInf(res[i].OutsideScore, 0) || math.IsNaN(res[i].OutsideScore) {
			res[i].OutsideScore = math.MaxFloat64 // a non-finite encoding; JSON has no Inf
		}
	}
}

// z is record p's encoding.
func (e *Searcher) z(p int) []float32 {
	nd := e.snap.ND
	return e.snap.Z[p*nd : (p+1)*nd]
}

// nearest ranks the records by Euclidean distance to point (ties: lower
// id), leaving out the records skip reports, and returns the first k with
// score 0.
func (e *Searcher) nearest(point []float64, k int, skip func(int64) bool) []Result {
	type cand struct {
		d  float64
		id int64
		p  int
	}
	var c []cand
	for p, id := range e.snap.IDs {
		if skip(id) {
			continue
		}
		z := e.z(p)
		s := 0.0
		for j, x := range z {
			d := float64(x) - point[j]
			s += d * d
		}
		if math.IsNaN(s) {
			s = math.Inf(1)
		}
		c = append(c, cand{s, id, p})
	}
	slices.SortFunc(c, func(a, b cand) int {
		if a.d != b.d {
			if a.d < b.d {
				return -1
			}
			return 1
		}
		return int(a.id - b.id)
	})
	c = c[:min(k, len(c))]
	out := make([]Result, len(c))
	for i, x := range c {
		d := math.Sqrt(x.d)
		if math.IsInf(d, 0) {
			d = math.MaxFloat64 // a non-finite encoding; JSON has no Inf
		}
		out[i] = Result{Rank: i + 1, ID: x.id, Label: e.snap.Labels[x.p], Collection: e.snap.Collections[x.p], Distance: &d}
	}
	return out
}
