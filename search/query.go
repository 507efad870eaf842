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
}

// PointQuery makes a query from an LS point.
// A point whose squared norm exceeds MaxPointNorm2 is refused
// (CheckPointNorm).
func (e *Searcher) PointQuery(z []float64) (Query, error) {
	if err := CheckPointNorm(z); err != nil {
		return Query{}, err
	}
	v, err := e.VOf(z)
	if err != nil {
		return Query{}, err
	}
	return MarkOutside(Query{V: v, Point: z}), nil
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
		return MarkOutside(Query{V: rec.V, Point: float64s(rec.Z), Record: id}), nil
	}
	nd := e.snap.ND
	return MarkOutside(Query{V: e.x.V(i), Point: float64s(e.snap.Z[i*nd : (i+1)*nd]), Record: id}), nil
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

// MaxPointNorm2 bounds the squared norm of a query point: a quarter of
// the largest float64, so that the squared distance from it to any record
// (whose float32 coordinates are far smaller) stays finite. Every number
// a query answers with is then finite and can be written as JSON.
const MaxPointNorm2 = math.MaxFloat64 / 4

// CheckPointNorm refuses a point with a non-finite coordinate or a squared
// norm over MaxPointNorm2 (about |z| > 6.7e153), computed without
// overflow.
func CheckPointNorm(z []float64) error {
	scale := 0.0
	for _, x := range z {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("point %v: a coordinate is not a finite number", z)
		}
		scale = max(scale, math.Abs(x))
	}
	if scale == 0 {
		return nil
	}
	s := 0.0
	for _, x := range z {
		s += (x / scale) * (x / scale)
	}
	// |z|^2 = scale^2 * s; compare in logarithms to stay finite.
	if 2*math.Log(scale)+math.Log(s) > math.Log(MaxPointNorm2) {
		return fmt.Errorf("point of norm %.3g is too far out: squared distances from it overflow float64 (the norm must stay under %.3g)", scale*math.Sqrt(s), math.Sqrt(MaxPointNorm2))
	}
	return nil
}

// ParsePoint reads an LS point written "x,y[,...]" with n_d values.
// Non-finite values and points over MaxPointNorm2 are refused.
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
	if err := CheckPointNorm(z); err != nil {
		return nil, fmt.Errorf("point %q: %w", clipText(s, 100), err)
	}
	return z, nil
}

// clipText shortens s to at most n bytes for an error message.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
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
