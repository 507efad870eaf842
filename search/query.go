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

// Every query reaches the ranking through Run: Spec names the query as a
// user gives it, Run builds it (from an LS point, an indexed record, an
// image and the model that built the index, or words with the Searcher's
// vocabulary), marks it when it is outside every cluster, ranks the
// snapshot and returns the Response. The per-kind builders below are
// unexported on purpose (TestOneEntryPoint).

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

// Spec names one query by what a user gives: exactly one of Pixels (with
// Model), Text, Point or Record (Kind checks it).
type Spec struct {
	// Pixels is an image (index.DecodeImage's gray pixels), encoded by
	// Model, the model that built the index.
	Pixels []float32
	Model  index.Model
	// Text is words for the Searcher's vocabulary; Random picks a point
	// inside each named cluster (seeded by Seed) instead of its centre.
	Text   string
	Random bool
	Seed   uint64
	// Point is an LS point written "x,y[,...]" (ParsePoint).
	Point string
	// Record is an indexed record's id (0: none); it is excluded from its
	// own results.
	Record int64
	// Exclude is a record left out of the results (0: none): the query
	// image's own record when the image is in the index.
	Exclude int64
	// ReadRecords also reads the results' records (Response.Records).
	ReadRecords bool
}

// The kinds of query Spec.Kind names.
const (
	KindImage  = "image"
	KindText   = "text"
	KindPoint  = "point"
	KindRecord = "record"
)

// ErrQueryCount is returned (wrapped) by Spec.Kind when a Spec names no
// query or more than one.
var ErrQueryCount = errors.New("give exactly one query: an image, words, a point or a record")

// Kind is the one query s names (KindImage, KindText, KindPoint or
// KindRecord); an error wrapping ErrQueryCount when it names none or
// several.
func (s Spec) Kind() (string, error) {
	var kinds []string
	for _, k := range []struct {
		set  bool
		kind string
	}{{s.Pixels != nil, KindImage}, {s.Text != "", KindText}, {s.Point != "", KindPoint}, {s.Record != 0, KindRecord}} {
		if k.set {
			kinds = append(kinds, k.kind)
		}
	}
	if len(kinds) != 1 {
		return "", fmt.Errorf("%w (got %d)", ErrQueryCount, len(kinds))
	}
	return kinds[0], nil
}

// Response is one query's answer: the query as built, the number of
// records searched, the top k results and, when Spec.ReadRecords, their
// records in the same order.
type Response struct {
	Query    Query          `json:"query"`
	K        int            `json:"k"`
	Searched int            `json:"searched"`
	Results  []Result       `json:"results"`
	Records  []index.Record `json:"-"`
}

// Run builds the query spec names, ranks the snapshot against it and
// returns the top k results (the one way every front end searches).
func (e *Searcher) Run(ctx context.Context, spec Spec, k int) (*Response, error) {
	if k < 1 {
		return nil, fmt.Errorf("search: k = %d, want at least 1", k)
	}
	q, err := e.query(ctx, spec)
	if err != nil {
		return nil, err
	}
	res, err := e.search(q, k, spec.Exclude)
	if err != nil {
		return nil, err
	}
	out := &Response{Query: q, K: k, Searched: e.Len(), Results: res}
	if spec.ReadRecords {
		if out.Records, err = e.records(ctx, res); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// query builds the query spec names and marks it when it is outside
// every cluster or, under the index's calibrated threshold, unknown
// (mark).
func (e *Searcher) query(ctx context.Context, spec Spec) (Query, error) {
	kind, err := spec.Kind()
	if err != nil {
		return Query{}, err
	}
	var q Query
	switch kind {
	case KindImage:
		if spec.Model == nil {
			return Query{}, errors.New("an image query needs the model that built the index")
		}
		q, err = e.imageQuery(spec.Model, spec.Pixels)
	case KindText:
		q, err = e.textQuery(spec.Text, spec.Random, spec.Seed)
	case KindPoint:
		var z []float64
		if z, err = ParsePoint(spec.Point, e.snap.ND); err == nil {
			q, err = e.pointQuery(z)
		}
	default:
		q, err = e.recordQuery(ctx, spec.Record)
	}
	if err != nil {
		return Query{}, err
	}
	return e.mark(q), nil
}

// pointQuery makes a query from an LS point.
// A point whose squared norm exceeds MaxPointNorm2 is refused
// (CheckPointNorm).
func (e *Searcher) pointQuery(z []float64) (Query, error) {
	if err := CheckPointNorm(z); err != nil {
		return Query{}, err
	}
	v, err := e.VOf(z)
	if err != nil {
		return Query{}, err
	}
	return Query{V: v, Point: z}, nil
}

// recordQuery makes a query from an indexed record: one of the snapshot,
// or any record of the index (a query image from another collection). The
// record is excluded from its own results.
func (e *Searcher) recordQuery(ctx context.Context, id int64) (Query, error) {
	i, ok := e.pos[id]
	if !ok {
		rec, err := e.db.Record(ctx, id)
		if err != nil {
			return Query{}, err
		}
		if len(rec.V) != e.snap.NC || len(rec.Z) != e.snap.ND {
			return Query{}, fmt.Errorf("record %d: v and z of %d and %d values, the index has n_c = %d, n_d = %d", id, len(rec.V), len(rec.Z), e.snap.NC, e.snap.ND)
		}
		return Query{V: rec.V, Point: float64s(rec.Z), Record: id}, nil
	}
	nd := e.snap.ND
	return Query{V: e.x.V(i), Point: float64s(e.snap.Z[i*nd : (i+1)*nd]), Record: id}, nil
}

// imageQuery encodes one image (index.DecodeImage's Side x Side gray
// pixels) with m, which must be the model that built the index, and makes
// a query of its LS point.
func (e *Searcher) imageQuery(m index.Model, px []float32) (Query, error) {
	if err := e.identity.Check(e.db.Path(), m); err != nil {
		return Query{}, err
	}
	z, err := m.Encode(px, 1)
	if err != nil {
		return Query{}, fmt.Errorf("encode the query image: %w", err)
	}
	return e.pointQuery(float64s(z))
}

func float64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, a := range x {
		out[i] = float64(a)
	}
	return out
}

// textQuery makes a query from words with the Searcher's vocabulary: a
// blend of several classes by the blend rule (blend.go), one class by its
// point.
func (e *Searcher) textQuery(text string, random bool, seed uint64) (Query, error) {
	voc, err := e.Vocab()
	if err != nil {
		return Query{}, err
	}
	t, err := voc.Parse(text, random, seed)
	if err != nil {
		return Query{}, err
	}
	if len(t.Terms) > 1 {
		return e.blendQuery(t, seed)
	}
	q, err := e.pointQuery(t.Point)
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
