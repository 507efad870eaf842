package search_test

import (
	"context"
	"path/filepath"
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

func TestEngineQueriesAndEval(t *testing.T) {
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
	if all.Snap.Len() != 120 || b.Snap.Len() != 60 {
		t.Fatalf("loaded %d and %d records", all.Snap.Len(), b.Snap.Len())
	}
	voc, err := search.NewVocab(all.Layout(), all.Identity.Classes)
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
	for i, l := range all.Snap.Labels {
		if l == "vlines" && all.Snap.Collections[i] == "a" {
			rec = all.Snap.IDs[i]
			break
		}
	}
	q, err = all.RecordQuery(rec)
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
	q, _ = all.RecordQuery(rec)
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
	far := &search.Engine{Identity: e.Identity, Snap: e.Snap}
	zero := make([]float32, len(e.Snap.V))
	far.X, err = search.New(zero, e.Snap.NC, e.Snap.IDs)
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
