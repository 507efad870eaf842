package search

import (
	"context"
	"fmt"

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
	db       *index.DB
}

// Load reads the named collections (all when none) of db into an Engine.
// The Engine reads records from db (RecordQuery, Records): keep db open
// while it is used.
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
	return &Engine{Identity: id, Snap: snap, X: x, pos: pos, db: db}, nil
}

// Layout is the layout of the model that built the index.
func (e *Engine) Layout() *latent.Layout { return e.Identity.Layout }

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

// Records reads the records of search results from the index, in order.
func (e *Engine) Records(ctx context.Context, res []Result) ([]index.Record, error) {
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	return e.db.Records(ctx, ids)
}
