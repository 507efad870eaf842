package search

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/lsconf/lsconf/index"
)

// Every query is built here: from an LS point (PointQuery), an indexed
// record (RecordQuery), an image and the model that built the index
// (ImageQuery), or words (TextQuery).

// VOf returns the float32 v vector of an LS point (validated).
func (e *Searcher) VOf(z []float64) ([]float32, error) {
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
	// Unknown is set by Searcher.Mark when the query's point is outside
	// under the index's calibrated threshold (an unknown input).
	Unknown bool `json:"unknown"`
}

// PointQuery makes a query from an LS point.
func (e *Searcher) PointQuery(z []float64) (Query, error) {
	v, err := e.VOf(z)
	if err != nil {
		return Query{}, err
	}
	return e.Mark(Query{V: v, Point: z}), nil
}

// RecordQuery makes a query from an indexed record: one of the snapshot,
// or any record of the index (a query image from another collection). The
// record is excluded from its own results.
func (e *Searcher) RecordQuery(ctx context.Context, id int64) (Query, error) {
	i, ok := e.pos[id]
	if !ok {
		rec, err := e.db.Record(ctx, id)
		if err != nil {
			return Query{}, err
		}
		if len(rec.V) != e.snap.NC || len(rec.Z) != e.snap.ND {
			return Query{}, fmt.Errorf("record %d: v and z of %d and %d values, the index has n_c = %d, n_d = %d", id, len(rec.V), len(rec.Z), e.snap.NC, e.snap.ND)
		}
		return e.Mark(Query{V: rec.V, Point: float64s(rec.Z), Record: id}), nil
	}
	nd := e.snap.ND
	return e.Mark(Query{V: e.x.V(i), Point: float64s(e.snap.Z[i*nd : (i+1)*nd]), Record: id}), nil
}

// ImageQuery encodes one image (index.DecodeImage's Side x Side gray
// pixels) with m, which must be the model that built the index, and makes
// a query of its LS point.
func (e *Searcher) ImageQuery(m index.Model, px []float32) (Query, error) {
	if err := e.identity.Check(e.db.Path(), m); err != nil {
		return Query{}, err
	}
	z, err := m.Encode(px, 1)
	if err != nil {
		return Query{}, fmt.Errorf("encode the query image: %w", err)
	}
	return e.PointQuery(float64s(z))
}

func float64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, a := range x {
		out[i] = float64(a)
	}
	return out
}

// TextQuery makes a query from words with the vocabulary.
func (e *Searcher) TextQuery(voc *Vocab, text string, random bool, seed uint64) (Query, error) {
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

// Spec names one query by what a user gives: exactly one of Pixels (with
// Model), Text, Point or Record.
type Spec struct {
	// Pixels is an image (index.DecodeImage's gray pixels), encoded by
	// Model, the model that built the index.
	Pixels []float32
	Model  index.Model
	// Text is words for Vocab; Random picks a point inside the cluster
	// (seeded by Seed) instead of its centre.
	Text   string
	Vocab  *Vocab
	Random bool
	Seed   uint64
	// Point is an LS point written "x,y[,...]" (ParsePoint).
	Point string
	// Record is an indexed record's id (0: none).
	Record int64
}

// Query builds the query spec names (ImageQuery, TextQuery, PointQuery
// or RecordQuery).
func (e *Searcher) Query(ctx context.Context, spec Spec) (Query, error) {
	n := 0
	for _, set := range []bool{spec.Pixels != nil, spec.Text != "", spec.Point != "", spec.Record != 0} {
		if set {
			n++
		}
	}
	if n != 1 {
		return Query{}, errors.New("give exactly one query: an image, words, a point or a record")
	}
	switch {
	case spec.Pixels != nil:
		if spec.Model == nil {
			return Query{}, errors.New("an image query needs the model that built the index")
		}
		return e.ImageQuery(spec.Model, spec.Pixels)
	case spec.Text != "":
		voc := spec.Vocab
		if voc == nil {
			var err error
			if voc, err = NewVocab(e.Layout(), e.identity.Classes); err != nil {
				return Query{}, err
			}
		}
		return e.TextQuery(voc, spec.Text, spec.Random, spec.Seed)
	case spec.Point != "":
		z, err := ParsePoint(spec.Point, e.snap.ND)
		if err != nil {
			return Query{}, err
		}
		return e.PointQuery(z)
	}
	return e.RecordQuery(ctx, spec.Record)
}
