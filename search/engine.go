package search

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/latent"
)

// Engine is a loaded, searchable snapshot of an index: its records' v
// vectors in an Index, their labels and collections, and the layout and
// classes of the model that built it. It is immutable.
type Engine struct {
	Identity index.Identity
	Snap     *index.Snapshot
	X        *Index
	pos      map[int64]int
}

// Load reads the named collections (all when none) of db into an Engine.
func Load(ctx context.Context, db *index.DB, collections ...string) (*Engine, error) {
	id, err := db.Identity(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := db.Load(ctx, collections...)
	if err != nil {
		return nil, err
	}
	x, err := New(snap.V, snap.NC, snap.IDs)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", db.Path(), err)
	}
	pos := make(map[int64]int, len(snap.IDs))
	for i, id := range snap.IDs {
		pos[id] = i
	}
	return &Engine{Identity: id, Snap: snap, X: x, pos: pos}, nil
}

// Layout is the layout of the model that built the index.
func (e *Engine) Layout() *latent.Layout { return e.Identity.Layout }

// VOf returns the float32 v vector of an LS point (validated).
func (e *Engine) VOf(z []float64) ([]float32, error) {
	v, err := e.Layout().V(z)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out, nil
}

// Query is what a search ranks against: a v vector and, for display, the
// LS point it came from (nil for record queries without one).
type Query struct {
	V     []float32 `json:"v"`
	Point []float64 `json:"point,omitempty"`
	// Record is the query's own record id when it is in the index (it is
	// then excluded from the results); 0 otherwise.
	Record int64 `json:"record,omitempty"`
	// Target is set for text queries.
	Target *Target `json:"target,omitempty"`
	// Outside is set when the query's v is all zero (outside.go); Note
	// then says how its results are ordered.
	Outside bool   `json:"outside"`
	Note    string `json:"note,omitempty"`
}

// PointQuery makes a query from an LS point.
func (e *Engine) PointQuery(z []float64) (Query, error) {
	v, err := e.VOf(z)
	if err != nil {
		return Query{}, err
	}
	return MarkOutside(Query{V: v, Point: z}), nil
}

// RecordQuery makes a query from a record of the snapshot.
func (e *Engine) RecordQuery(id int64) (Query, error) {
	i, ok := e.pos[id]
	if !ok {
		return Query{}, fmt.Errorf("record %d: %w", id, index.ErrNotFound)
	}
	nd := e.Snap.ND
	z := make([]float64, nd)
	for k := range z {
		z[k] = float64(e.Snap.Z[i*nd+k])
	}
	return MarkOutside(Query{V: e.X.V(i), Point: z, Record: id}), nil
}

// TextQuery makes a query from words with the vocabulary.
func (e *Engine) TextQuery(voc *Vocab, text string, random bool, seed uint64) (Query, error) {
	t, err := voc.Parse(text, random, seed)
	if err != nil {
		return Query{}, err
	}
	if len(t.Terms) > 1 && !t.Random {
		return e.blendQuery(t)
	}
	q, err := e.PointQuery(t.Point)
	q.Target = &t
	return q, err
}

// Result is one ranked record with what a person wants to see.
type Result struct {
	Rank       int     `json:"rank"`
	ID         int64   `json:"id"`
	Score      float32 `json:"score"`
	Label      string  `json:"label,omitempty"`
	Collection string  `json:"collection"`
	// OutsideScore is the record's distance to the nearest configured
	// centre over r_c, Outside whether its v is all zero (outside.go).
	OutsideScore float64 `json:"outside_score"`
	Outside      bool    `json:"outside"`
	// Distance is the distance to the query point when the query is
	// outside every cluster and results are ranked by it.
	Distance *float64 `json:"distance,omitempty"`
}

// Search ranks the snapshot against q and returns the top k (the query's
// own record excluded), each with its outside score and flag. A query
// outside every cluster (v all zero) with a point is ranked by distance
// to its point instead (outside.go).
func (e *Engine) Search(q Query, k int) ([]Result, error) {
	if vZero(q.V) && q.Point != nil && len(q.Point) == e.Snap.ND {
		out := e.nearest(q.Point, k, q.Record)
		e.annotate(out)
		return out, nil
	}
	opt := Options{}
	if q.Record != 0 {
		self := q.Record
		opt.Exclude = func(id int64) bool { return id == self }
	}
	hits, err := e.X.Search(q.V, k, opt)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(hits))
	for i, h := range hits {
		out[i] = Result{Rank: i + 1, ID: h.ID, Score: h.Score, Label: e.Snap.Labels[h.Pos], Collection: e.Snap.Collections[h.Pos]}
	}
	e.annotate(out)
	return out, nil
}

// ParsePoint reads an LS point written "x,y[,...]" with n_d values.
func ParsePoint(s string, nd int) ([]float64, error) {
	f := strings.Split(s, ",")
	if len(f) != nd {
		return nil, fmt.Errorf("point %q: %d values, the layout has n_d = %d", s, len(f), nd)
	}
	z := make([]float64, nd)
	for i, x := range f {
		v, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("point %q: %q is not a finite number", s, x)
		}
		z[i] = v
	}
	return z, nil
}
