package search_test

import (
	"context"
	"errors"
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
	all, err := search.Open(ctx, db, search.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := search.Open(ctx, db, search.OpenOptions{Collections: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	if all.Len() != 120 || b.Len() != 60 {
		t.Fatalf("loaded %d and %d records", all.Len(), b.Len())
	}
	// Text query searched in collection b only.
	res := mustRun(t, b, search.Spec{Text: "polka dots"}, 10).Results
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
	res = mustRun(t, b, search.Spec{Record: rec}, 10).Results
	if len(res) != 10 {
		t.Fatal(res)
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
	res = mustRun(t, all, search.Spec{Record: rec}, 120).Results
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
	e, err := search.Open(ctx, db, search.OpenOptions{})
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
	far, err := search.NewSearcherOf(db, e.Identity(), snap)
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
	// Ranked by distance in z (what a ce run is compared by), the same
	// records are found by their encodings: the fake model's z clusters
	// by class.
	byDist, err := far.EvaluateBy(10, search.ByDistance)
	if err != nil {
		t.Fatal(err)
	}
	if byDist.By != "distance" || byDist.ImageP < 0.9 || byDist.WordMean < 0.9 || byDist.Metrics.Retrieval.P1 < 0.9 {
		t.Fatalf("all-outside index by distance: %+v", byDist)
	}
	if _, err := far.EvaluateBy(10, "cosine"); err == nil {
		t.Fatal("an unknown ranking was accepted")
	}
}

// TestQueryPaths checks the query kinds the CLI, web and demo share
// through Run: an image encoded by the index's model (and refused with
// another model), a record of another collection, a point.
func TestQueryPaths(t *testing.T) {
	ctx := context.Background()
	db := buildIndex(t)
	b, err := search.Open(ctx, db, search.OpenOptions{Collections: []string{"b"}})
	if err != nil {
		t.Fatal(err)
	}
	all, err := search.Open(ctx, db, search.OpenOptions{})
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
	qb := mustRun(t, b, search.Spec{Record: rec}, 1).Query
	qa := mustRun(t, all, search.Spec{Record: rec}, 1).Query
	if qa.Record != rec || qb.Record != rec || !slices.Equal(qa.V, qb.V) || !slices.Equal(qa.Point, qb.Point) {
		t.Fatalf("record query: from the snapshot %+v, from the index %+v", qa, qb)
	}
	if _, err := b.Run(ctx, search.Spec{Record: 1 << 40}, 1); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("unknown record: %v", err)
	}
	// An image query is the point query of the model's encoding; Exclude
	// leaves the image's own record out.
	m := indextest.NewFake()
	r, err := db.Record(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	px, err := r.Pixels()
	if err != nil {
		t.Fatal(err)
	}
	ri := mustRun(t, all, search.Spec{Pixels: px, Model: m, Exclude: rec, ReadRecords: true}, 119)
	if qi := ri.Query; qi.Record != 0 || !slices.Equal(qi.V, qa.V) {
		t.Fatalf("image query of record %d's pixels: %+v, record query %+v", rec, qi, qa)
	}
	if len(ri.Results) != 119 || len(ri.Records) != 119 || ri.Searched != 120 {
		t.Fatalf("image query with its record excluded: %d results, %d records of %d", len(ri.Results), len(ri.Records), ri.Searched)
	}
	for i, res := range ri.Results {
		if res.ID == rec || ri.Records[i].ID != res.ID {
			t.Fatalf("result %d: %+v, record %d (excluded %d)", i, res, ri.Records[i].ID, rec)
		}
	}
	other := indextest.NewFake()
	other.Name = "another-model"
	if _, err := all.Run(ctx, search.Spec{Pixels: px, Model: other}, 1); !errors.Is(err, index.ErrModelMismatch) {
		t.Fatalf("image query with another model: %v", err)
	}
	if _, err := all.Run(ctx, search.Spec{Point: "NaN,0"}, 1); err == nil {
		t.Fatal("NaN point accepted")
	}
}

// TestSpecKind: a Spec names exactly one query.
func TestSpecKind(t *testing.T) {
	for _, c := range []struct {
		name string
		spec search.Spec
		want string
	}{
		{"image", search.Spec{Pixels: []float32{}}, search.KindImage},
		{"text", search.Spec{Text: "dots"}, search.KindText},
		{"point", search.Spec{Point: "0,0"}, search.KindPoint},
		{"record", search.Spec{Record: 3}, search.KindRecord},
		{"none", search.Spec{}, ""},
		{"two", search.Spec{Text: "dots", Record: 3}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, err := c.spec.Kind()
			if k != c.want || (c.want == "") != errors.Is(err, search.ErrQueryCount) {
				t.Errorf("Kind() = %q, %v; want %q", k, err, c.want)
			}
		})
	}
}

func mustRun(t *testing.T, e *search.Searcher, spec search.Spec, k int) *search.Response {
	t.Helper()
	r, err := e.Run(context.Background(), spec, k)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
