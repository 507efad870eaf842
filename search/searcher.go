package search

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/latent"
)

// Searcher is a loaded, searchable snapshot of an index: its records' v
// vectors in an Index, their labels and collections, the layout and
// classes of the model that built it, and the word vocabulary of those
// classes. It is immutable (the vocabulary is built once, on first use)
// and safe for concurrent use. Every query reaches the ranking through
// Run.
type Searcher struct {
	identity index.Identity
	snap     *index.Snapshot
	x        *Index
	pos      map[int64]int
	db       *index.DB
	extra    []string

	vocabOnce sync.Once
	vocab     *Vocab
	vocabErr  error
}

// OpenOptions configure Open.
type OpenOptions struct {
	// Collections restricts the search to the named collections (none:
	// all).
	Collections []string
	// Vocab are extra vocabulary file texts, read after the built-in one
	// (see NewVocab and LoadVocabFile).
	Vocab []string
}

// Open reads the records of db (the collections opt names) into a
// Searcher. The Searcher reads records from db (record queries, Response
// records): keep db open while it is used.
func Open(ctx context.Context, db *index.DB, opt OpenOptions) (*Searcher, error) {
	id, err := db.Identity(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := db.Load(ctx, opt.Collections...)
	if err != nil {
		return nil, err
	}
	e, err := newSearcher(db, id, snap, opt.Vocab)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", db.Path(), err)
	}
	return e, nil
}

// newSearcher makes a Searcher of a snapshot of db (Open reads both from
// db). The Searcher keeps snap: do not modify it.
func newSearcher(db *index.DB, id index.Identity, snap *index.Snapshot, vocab []string) (*Searcher, error) {
	x, err := New(snap.V, snap.NC, snap.IDs)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(snap.IDs))
	for i, id := range snap.IDs {
		pos[id] = i
	}
	return &Searcher{identity: id, snap: snap, x: x, pos: pos, db: db, extra: vocab}, nil
}

// Vocab is the word vocabulary of the index's classes (the built-in file
// and the OpenOptions' extra files): the one text queries are parsed with.
func (e *Searcher) Vocab() (*Vocab, error) {
	e.vocabOnce.Do(func() {
		e.vocab, e.vocabErr = NewVocab(e.Layout(), e.identity.Classes, e.extra...)
	})
	return e.vocab, e.vocabErr
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
	// OutsideScore is the record's open-set score by the index's
	// calibrated threshold's rule (without one, or on a dense-head run: the
	// distance to the nearest configured centre over r_c), Outside whether
	// it is outside (v all zero, or above the threshold: outside.go).
	OutsideScore float64 `json:"outside_score"`
	Outside      bool    `json:"outside"`
	// Distance is the distance to the query point when the query is
	// outside every cluster and results are ranked by it.
	Distance *float64 `json:"distance,omitempty"`
}

// search ranks the snapshot against q and returns the top k (the query's
// own record and exclude left out), each with its outside score and flag.
// A query outside every cluster (v all zero) with a point is ranked by
// distance to its point instead (outside.go); a blend of classes orders
// its ties by the weight on the named classes (blend.go).
func (e *Searcher) search(q Query, k int, exclude int64) ([]Result, error) {
	skip := func(id int64) bool { return id != 0 && (id == q.Record || id == exclude) }
	if vZero(q.V) && q.Point != nil && len(q.Point) == e.snap.ND {
		out := e.nearest(q.Point, k, skip)
		e.annotate(out)
		return out, nil
	}
	if isBlend(q) {
		out := e.searchBlend(q, k, skip)
		e.annotate(out)
		return out, nil
	}
	opt := Options{}
	if q.Record != 0 || exclude != 0 {
		opt.Exclude = skip
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

// records reads the records of search results from the index, in order.
func (e *Searcher) records(ctx context.Context, res []Result) ([]index.Record, error) {
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.ID
	}
	return e.db.Records(ctx, ids)
}
