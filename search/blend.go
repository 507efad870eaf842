package search

import (
	"fmt"
	"math"
	"strings"
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
// Target.Note says what was done. Random blends ("random A", --random)
// keep the point-based query: they sample a point inside a cluster.

// blendQuery makes the query of a multi-class, non-random text target.
func (e *Searcher) blendQuery(t Target) (Query, error) {
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
	for _, term := range t.Terms {
		c, ok := idx[term.Class]
		if !ok {
			return Query{}, fmt.Errorf("text query %q: class %q is not in the index", t.Text, term.Class)
		}
		centre := l.Center(c)
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
		qv[i] = float32(x)
	}
	mn := 0.0
	for _, x := range mean {
		mn += x * x
	}
	mn = math.Sqrt(mn)
	t.Note = fmt.Sprintf("ranked by the blend of the similarity vectors of %s", strings.Join(names, " and "))
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
