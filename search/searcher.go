package search

import (
	"context"
	"fmt"
	"slices"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/latent"
)

// Searcher is a loaded, searchable snapshot of an index: its records' v
// vectors in an Index, their labels and collections, and the layout and
// classes of the model that built it. It is immutable and safe for
// concurrent use.
type Searcher struct {
	identity index.Identity
	snap     *index.Snapshot
	x        *Index
	pos      map[int64]int
	db       *index.DB
}

// Load reads the named collections (all when none) of db into an Searcher.
// The Searcher reads records from db (RecordQuery, Records): keep db open
// while it is used.
func Load(ctx context.Context, db *index.DB, collections ...string) (*Searcher, error) {
	id, err := db.Identity(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := db.Load(ctx, collections...)
	if err != nil {
		return nil, err
	}
	e, err := NewSearcher(db, id, snap)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", db.Path(), err)
	}
	return e, nil
}

// NewSearcher makes a Searcher of a snapshot of db (Load reads both from
// db). The Searcher keeps snap: do not modify it.
func NewSearcher(db *index.DB, id index.Identity, snap *index.Snapshot) (*Searcher, error) {
	x, err := New(snap.V, snap.NC, snap.IDs)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(snap.IDs))
	for i, id := range snap.IDs {
		pos[id] = i
	}
	return &Searcher{identity: id, snap: snap, x: x, pos: pos, db: db}, nil
}

// Identity is the model identity stored in the index.
func (e *Searcher) Identity() index.Identity { return e.identity }

// Len is the number of records searched.
func (e *Searcher) Len() int { return e.snap.Len() }

// ND is the dimension of the LS points.
func (e *Searcher) ND() int { return e.snap.ND }

// Generation is the index generation the snapshot was read at.
func (e *Searcher) Generation() int64 { return e.snap.Generation }

// Entry is one record of a Searcher's snapshot.
type Entry struct {
	ID         int64
	Z          []float32
	Label      string
	Collection string
}

// Entry returns the i-th record of the snapshot (0 <= i < Len, record-id
// order); Z is a copy.
func (e *Searcher) Entry(i int) Entry {
	nd := e.snap.ND
	return Entry{ID: e.snap.IDs[i], Z: slices.Clone(e.snap.Z[i*nd : (i+1)*nd]), Label: e.snap.Labels[i], Collection: e.snap.Collections[i]}
}

// Layout is the layout of the model that built the index.
func (e *Searcher) Layout() *latent.Layout { return e.identity.Layout }

// Result is one ranked record with what a person wants to see.
type Result struct {
	Rank       int     `json:"rank"`
	ID         int64   `json:"id"`
	Score      float32 `json:"score"`
	Label      string  `json:"label,omitempty"`
	Collection string  `json:"collection"`
	// OutsideScore is the record's distance to the nearest configured
	// centre over r_c, Outside whether it is outside (v all zero, or above
	// the calibrated threshold: outside.go).
	OutsideScore float64 `json:"outside_score"`
	Outside      bool    `json:"outside"`
	// Distance is the distance to the query point when the query is
	// outside every cluster and results are ranked by it.
	Distance *float64 `json:"distance,omitempty"`
}

// Search ranks the snapshot against q and returns the top k (the query's
// own record excluded), each with its outside score and flag. A query
// outside every cluster (v all zero) with a point is ranked by distance
// to its point instead (outside.go); a blend of classes orders its ties
// by the weight on the named classes (blend.go).
func (e *Searcher) Search(q Query, k int) ([]Result, error) {
	if vZero(q.V) && q.Point != nil && len(q.Point) == e.snap.ND {
		out := e.nearest(q.Point, k, q.Record)
		e.annotate(out)
		return out, nil
	}
	if isBlend(q) {
		out := e.searchBlend(q, k)
		e.annotate(out)
		return out, nil
	}
	opt := Options{}
	if q.Record != 0 {
		self := q.Record
		opt.Exclude = func(id int64) bool { return id == self }
	}
	hits, err := e.x.Search(q.V, k, opt)
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(hits))
	for i, h := range hits {
		out[i] = Result{Rank: i + 1, ID: h.ID, Score: h.Score, Label: e.snap.Labels[h.Pos], Collection: e.snap.Collections[h.Pos]}
	}
	e.annotate(out)
	return out, nil
}

// Records reads the records of search results from the index, in order.
func (e *Searcher) Records(ctx context.Context, res []Result) ([]index.Record, error) {
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	return e.db.Records(ctx, ids)
}
