package search_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/search"
)

// buildIndex indexes two fake collections ("a" and "b") with the fake model.
func buildIndex(t *testing.T) *index.DB {
	t.Helper()
	ctx := context.Background()
	tmp := t.TempDir()
	db, err := index.Open(filepath.Join(tmp, "idx.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	m := indextest.NewFake()
	for i, name := range []string{"a", "b"} {
		dir := filepath.Join(tmp, name)
		if _, err := indextest.WriteCollection(dir, 12, uint64(i+1)); err != nil {
			t.Fatal(err)
		}
		if _, err := db.IndexFolder(ctx, m, dir, index.Options{Batch: 16}); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestSearcherQueriesAndEval(t *testing.T) {
	ctx := context.Background()
	db := buildIndex(t)
	all, err := search.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	b, err := search.Load(ctx, db, "b")
	if err != nil {
		t.Fatal(err)
	}
	if all.Len() != 120 || b.Len() != 60 {
		t.Fatalf("loaded %d and %d records", all.Len(), b.Len())
	}
	voc, err := search.NewVocab(all.Layout(), all.Identity().Classes)
	if err != nil {
		t.Fatal(err)
	}
	// Text query searched in collection b only.
	q, err := b.TextQuery(voc, "polka dots", false, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.Search(q, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Collection != "b" || r.Label != "dots" {
			t.Fatalf("polka dots in b: %+v", res)
		}
	}
	// Cross-collection: a record of a as the query, searched in b.
	var rec int64
	for i := range all.Len() {
		if en := all.Entry(i); en.Label == "vlines" && en.Collection == "a" {
			rec = en.ID
			break
		}
	}
	q, err = all.RecordQuery(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	q.Record = 0 // searched in another collection: nothing to exclude
	res, err = b.Search(q, 10)
	if err != nil || len(res) != 10 {
		t.Fatal(res, err)
	}
	hits := 0
	for _, r := range res {
		if r.Label == "vlines" {
			hits++
		}
	}
	if hits < 9 {
		t.Fatalf("vlines query from a in b: %d of 10 vlines: %+v", hits, res)
	}
	// Self-exclusion within one collection.
	q, _ = all.RecordQuery(ctx, rec)
	res, _ = all.Search(q, 120)
	for _, r := range res {
		if r.ID == rec {
			t.Fatal("the query's own record was returned")
		}
	}
	if len(res) != 119 {
		t.Fatalf("%d results for k=120 over 120 records with one excluded", len(res))
	}
	ev, err := all.Evaluate(10)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Labelled != 120 || ev.ImageP < 0.9 || ev.WordMean < 0.9 || len(ev.WordP) != 5 || ev.ImagePerClass["dots"] < 0.8 {
		t.Fatalf("eval on the separable fake index: %+v", ev)
	}
	// A model that scatters points evenly gives chance-level precision.
	t.Logf("eval: %+v", ev)
}

func TestEvalZeroScoresAreMisses(t *testing.T) {
	ctx := context.Background()
	db := buildIndex(t)
	e, err := search.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// A model that maps everything far outside: every v is 0, so every
	// ranking is a tie at 0 and precision must be 0, not id order.
	snap, err := db.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	snap.V = make([]float32, len(snap.V))
	far, err := search.NewSearcher(db, e.Identity(), snap)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := far.Evaluate(10)
	if err != nil {
		t.Fatal(err)
	}
	if ev.ImageP != 0 || ev.Outside != 120 {
		t.Fatalf("all-outside index: %+v", ev)
	}
}

// TestQueryPaths checks the query builders the CLI, web and demo share: an
// image encoded by the index's model (and refused with another model), a
// record of another collection, a point.
func TestQueryPaths(t *testing.T) {
	ctx := context.Background()
	db := buildIndex(t)
	b, err := search.Load(ctx, db, "b")
	if err != nil {
		t.Fatal(err)
	}
	all, err := search.Load(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// A record of collection a, not in b's snapshot: read from the index,
	// the same query as from a snapshot that holds it.
	var rec int64
	for i := range all.Len() {
		if en := all.Entry(i); en.Collection == "a" {
			rec = en.ID
			break
		}
	}
	qb, err := b.RecordQuery(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	qa, err := all.RecordQuery(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	if qa.Record != rec || qb.Record != rec || !slices.Equal(qa.V, qb.V) || !slices.Equal(qa.Point, qb.Point) {
		t.Fatalf("record query: from the snapshot %+v, from the index %+v", qa, qb)
	}
	if _, err := b.RecordQuery(ctx, 1<<40); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("unknown record: %v", err)
	}
	// An image query is the point query of the model's encoding.
	m := indextest.NewFake()
	r, err := db.Record(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	px, err := r.Pixels()
	if err != nil {
		t.Fatal(err)
	}
	qi, err := all.ImageQuery(m, px)
	if err != nil {
		t.Fatal(err)
	}
	if qi.Record != 0 || !slices.Equal(qi.V, qa.V) {
		t.Fatalf("image query of record %d's pixels: %+v, record query %+v", rec, qi, qa)
	}
	other := indextest.NewFake()
	other.Name = "another-model"
	if _, err := all.ImageQuery(other, px); !errors.Is(err, index.ErrModelMismatch) {
		t.Fatalf("image query with another model: %v", err)
	}
	if _, err := all.PointQuery([]float64{math.NaN(), 0}); err == nil {
		t.Fatal("NaN point accepted")
	}
	recs, err := all.Records(ctx, []search.Result{{ID: rec}})
	if err != nil || len(recs) != 1 || recs[0].ID != rec {
		t.Fatalf("Records: %+v, %v", recs, err)
	}
}
