package search

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Index holds the v vectors of n records in memory, arranged for fast
// exact ranking: records are grouped by the set of their non-zero v
// entries (a point is near at most a few centres), and each group is
// sorted by the sum of v and stored column by column.
// An Index is immutable and safe for concurrent use.
type Index struct {
	nc     int
	ids    []int64
	v      []float32 // row-major, n x nc, as given
	sums   []float32 // per record, in input order
	groups []group
	// Workers is the number of goroutines a single search may use on a
	// large candidate set (0 = runtime.NumCPU()).
	workers int
}

// group is the records whose non-zero v entries are exactly cols.
type group struct {
	cols []int       // non-zero columns, ascending
	pos  []int32     // input positions, sorted by (sum, id)
	ids  []int64     // record ids in the same order
	sums []float32   // v sums in the same order (ascending)
	vals [][]float32 // vals[t][j]: v[cols[t]] of the j-th record
}

// New builds an Index over n = len(v)/nc records with the given ids
// (nil: ids are the positions 0..n-1). v is row-major; every entry must be
// finite and non-negative (as eq 12 makes them). The Index keeps v.
func New(v []float32, nc int, ids []int64) (*Index, error) {
	if nc <= 0 {
		return nil, fmt.Errorf("search index: n_c = %d", nc)
	}
	if len(v)%nc != 0 {
		return nil, fmt.Errorf("search index: %d values is not a multiple of n_c = %d", len(v), nc)
	}
	n := len(v) / nc
	if n > math.MaxInt32 {
		return nil, fmt.Errorf("search index: %d records, at most %d", n, math.MaxInt32)
	}
	if ids == nil {
		ids = make([]int64, n)
		for i := range ids {
			ids[i] = int64(i)
		}
	}
	if len(ids) != n {
		return nil, fmt.Errorf("search index: %d ids for %d records", len(ids), n)
	}
	for i, x := range v {
		if !(x >= 0) || math.IsInf(float64(x), 1) {
			return nil, fmt.Errorf("search index: record %d has v[%d] = %v, want finite and >= 0", i/nc, i%nc, x)
		}
	}
	v = positiveZeros(v)
	x := &Index{nc: nc, ids: ids, v: v, sums: make([]float32, n)}
	byKey := map[string]int{}
	var keyBuf []byte
	for i := 0; i < n; i++ {
		row := v[i*nc : (i+1)*nc]
		var s float32
		keyBuf = keyBuf[:0]
		for c, a := range row {
			s += a
			if a != 0 {
				keyBuf = strconv.AppendInt(keyBuf, int64(c), 10)
				keyBuf = append(keyBuf, ',')
			}
		}
		x.sums[i] = s
		gi, ok := byKey[string(keyBuf)]
		if !ok {
			gi = len(x.groups)
			byKey[string(keyBuf)] = gi
			var cols []int
			for c, a := range row {
				if a != 0 {
					cols = append(cols, c)
				}
			}
			x.groups = append(x.groups, group{cols: cols})
		}
		x.groups[gi].pos = append(x.groups[gi].pos, int32(i))
	}
	seen := make(map[int64]struct{}, n)
	for _, id := range ids {
		if _, dup := seen[id]; dup {
			return nil, fmt.Errorf("search index: id %d given twice", id)
		}
		seen[id] = struct{}{}
	}
	for gi := range x.groups {
		g := &x.groups[gi]
		slices.SortFunc(g.pos, func(a, b int32) int {
			sa, sb := x.sums[a], x.sums[b]
			switch {
			case sa < sb:
				return -1
			case sa > sb:
				return 1
			case ids[a] < ids[b]:
				return -1
			case ids[a] > ids[b]:
				return 1
			}
			return 0
		})
		m := len(g.pos)
		g.ids = make([]int64, m)
		g.sums = make([]float32, m)
		g.vals = make([][]float32, len(g.cols))
		for t := range g.vals {
			g.vals[t] = make([]float32, m)
		}
		for j, p := range g.pos {
			g.ids[j] = ids[p]
			g.sums[j] = x.sums[p]
			for t, c := range g.cols {
				g.vals[t][j] = v[int(p)*nc+c]
			}
		}
	}
	// Largest groups first: searches meet the well-populated ones early.
	slices.SortStableFunc(x.groups, func(a, b group) int { return len(b.pos) - len(a.pos) })
	return x, nil
}

// Len is the number of records.
func (x *Index) Len() int { return len(x.ids) }

// NC is the length of the v vectors.
func (x *Index) NC() int { return x.nc }

// ID is the record id at input position i.
func (x *Index) ID(i int) int64 { return x.ids[i] }

// V is the v vector at input position i (do not modify).
func (x *Index) V(i int) []float32 { return x.v[i*x.nc : (i+1)*x.nc] }

// Groups is the number of distinct non-zero patterns (for diagnostics).
func (x *Index) Groups() int { return len(x.groups) }

// WithWorkers returns a shallow copy of x that uses w goroutines for one
// large search (0 = runtime.NumCPU(), 1 = sequential).
func (x *Index) WithWorkers(w int) *Index {
	c := *x
	c.workers = w
	return &c
}

func (x *Index) nworkers() int {
	if x.workers > 0 {
		return x.workers
	}
	return runtime.NumCPU()
}

// Options tune one search.
type Options struct {
	// Exclude, when not nil, drops the records it returns true for (e.g.
	// the query's own record).
	Exclude func(id int64) bool
}

// ErrBadQuery is returned (wrapped) for a query vector of the wrong length
// or with negative or non-finite entries.
var ErrBadQuery = errors.New("bad query vector")

// positiveZeros returns v, or a copy with every -0 made +0 (so that the
// scalar and vector min agree bit for bit; v from eq 12 has no -0).
func positiveZeros(v []float32) []float32 {
	for i, a := range v {
		if a == 0 && math.Signbit(float64(a)) {
			c := slices.Clone(v)
			for j := i; j < len(c); j++ {
				if c[j] == 0 {
					c[j] = 0
				}
			}
			return c
		}
	}
	return v
}

func (x *Index) checkQuery(q []float32) error {
	if len(q) != x.nc {
		return fmt.Errorf("%w: %d values, the index has n_c = %d", ErrBadQuery, len(q), x.nc)
	}
	for i, a := range q {
		if !(a >= 0) || math.IsInf(float64(a), 1) {
			return fmt.Errorf("%w: q[%d] = %v", ErrBadQuery, i, a)
		}
	}
	return nil
}

func (x *Index) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "search.Index{n=%d, n_c=%d, groups=%d}", x.Len(), x.nc, len(x.groups))
	return b.String()
}
