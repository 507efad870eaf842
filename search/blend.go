package search

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/lsconf/lsconf/latent"
)

// Blends (decision): a text query that blends several classes
// ("striped" = between hlines and vlines) is ranked by the blend of the
// named classes' similarity vectors, q = sum_i w_i v(centre_i), not by the
// v of the weighted mean of their centres. The mean of two non-adjacent
// centres on the circle lies nearest a third class (with the built-in
// class order, hlines + vlines lands on dots), and the mean of two
// opposite centres is the origin, outside every cluster. With the blended
// v, sim (eq 15) can only be positive for records near the named classes,
// so their images rank first whatever the class order. The query's Point
// (drawn on the web page) walks the arc: the weighted mean of the centres
// scaled to the weighted mean of their norms; when that mean is
// (numerically) the origin, there is no such point and Point is nil.
// Target.Note says what was done. Random blends ("random patterned",
// --random) follow the same rule: one point is drawn inside each named
// cluster (uniformly within its r_c, from the seed, in term order) and the
// query is the blend of those points' similarity vectors; its Point walks
// the arc between the drawn points the same way.
//
// Eq 15 saturates for a blended query: every record with v_i >= w_i on
// the named classes and sum v <= 1 scores exactly sum w_i min(...) (0.5
// for an even blend of two classes), including records of a third class
// that lie between the named clusters. Ties of a blend query are therefore
// ordered by the record's weight on the named classes, sum_i w_i v_i
// (higher first), then by id (searchBlend scans every record; the scores
// are the exact eq 15 scores).

// blendQuery makes the query of a multi-class text target; a random one
// draws its points inside the named clusters with seed.
func (e *Searcher) blendQuery(t Target, seed uint64) (Query, error) {
	l := e.Layout()
	idx := map[string]int{}
	for i, c := range e.identity.Classes {
		idx[c] = i
	}
	nd := l.ND()
	q := make([]float64, l.NC())
	mean := make([]float64, nd)
	norm := 0.0
	var names []string
	rng := randomSource(seed)
	for _, term := range t.Terms {
		c, ok := idx[term.Class]
		if !ok {
			return Query{}, fmt.Errorf("text query %q: class %q is not in the index", t.Text, term.Class)
		}
		centre := l.Center(c)
		if t.Random {
			centre = inBall(rng, centre, l.Radius(c))
		}
		v, err := l.V(centre)
		if err != nil {
			return Query{}, fmt.Errorf("text query %q: %w", t.Text, err)
		}
		for i := range q {
			q[i] += term.Weight * v[i]
		}
		n := 0.0
		for k := range mean {
			mean[k] += term.Weight * centre[k]
			n += centre[k] * centre[k]
		}
		norm += term.Weight * math.Sqrt(n)
		names = append(names, term.Class)
	}
	qv := make([]float32, len(q))
	for i, x := range q {
		if x > 1e-12 { // a neighbour centre exactly R_d away gives ~1e-16, not 0
			qv[i] = float32(x)
		}
	}
	mn := 0.0
	for _, x := range mean {
		mn += x * x
	}
	mn = math.Sqrt(mn)
	t.Note = fmt.Sprintf("ranked by the blend of the similarity vectors of %s", strings.Join(names, " and "))
	if t.Random {
		t.Note = fmt.Sprintf("ranked by the blend of the similarity vectors of random points inside %s", strings.Join(names, " and "))
	}
	var point []float64
	if mn > 1e-9*max(norm, 1) {
		if lab, _, err := l.Classify(mean); err == nil && !containsTerm(t.Terms, e.identity.Classes[lab]) {
			t.Note += fmt.Sprintf(" (the midpoint of their centres lies nearest %s)", e.identity.Classes[lab])
		}
		point = make([]float64, nd)
		for k := range point {
			point[k] = mean[k] * norm / mn
		}
	} else {
		t.Note += " (their centres are opposite: the midpoint is the origin, outside every cluster, so the query has no single point)"
	}
	t.Point = point
	return Query{V: qv, Point: point, Target: &t}, nil
}

func containsTerm(ts []Term, class string) bool {
	for _, t := range ts {
		if t.Class == class {
			return true
		}
	}
	return false
}

// isBlend reports whether q is a blend query (blendQuery).
func isBlend(q Query) bool {
	return q.Target != nil && len(q.Target.Terms) > 1
}

// searchBlend ranks every record for a blend query by sim, ties by the
// weight on the named classes, then by id, and returns the first k (the
// records skip reports left out).
func (e *Searcher) searchBlend(q Query, k int, skip func(int64) bool) []Result {
	w := make([]float32, len(q.V))
	for _, t := range q.Target.Terms {
		for c, name := range e.identity.Classes {
			if name == t.Class {
				w[c] = float32(t.Weight)
			}
		}
	}
	type cand struct {
		score, aff float32
		id         int64
		p          int
	}
	cs := make([]cand, 0, e.x.Len())
	for p := range e.x.Len() {
		id := e.x.ID(p)
		if skip(id) {
			continue
		}
		v := e.x.V(p)
		var aff float32
		for i, x := range v {
			aff += w[i] * x
		}
		cs = append(cs, cand{latent.Sim32(q.V, v), aff, id, p})
	}
	slices.SortFunc(cs, func(a, b cand) int {
		switch {
		case a.score != b.score:
			return cmpDesc(a.score, b.score)
		case a.aff != b.aff:
			return cmpDesc(a.aff, b.aff)
		}
		return cmp.Compare(a.id, b.id)
	})
	cs = cs[:min(k, len(cs))]
	out := make([]Result, len(cs))
	for i, c := range cs {
		pos := e.pos[c.id]
		out[i] = Result{Rank: i + 1, ID: c.id, Score: c.score, Label: e.snap.Labels[pos], Collection: e.snap.Collections[pos]}
	}
	return out
}

func cmpDesc(a, b float32) int {
	if a > b {
		return -1
	}
	return 1
}
