package search

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/lsconf/lsconf/latent"
)

// naive ranks every record with latent.Sim32 and a full sort: the
// reference Search and Scan must reproduce.
func naive(v []float32, nc int, ids []int64, q []float32, k int, exclude func(int64) bool) []Hit {
	var all []Hit
	for i := 0; i < len(v)/nc; i++ {
		if exclude != nil && exclude(ids[i]) {
			continue
		}
		all = append(all, Hit{ID: ids[i], Pos: i, Score: latent.Sim32(q, v[i*nc:(i+1)*nc])})
	}
	slices.SortFunc(all, func(a, b Hit) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return all[:min(k, len(all))]
}

func sameHits(t *testing.T, what string, got, want []Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d hits, want %d\n got %v\nwant %v", what, len(got), len(want), got, want)
	}
	for i := range got {
		if got[i].ID != want[i].ID || got[i].Pos != want[i].Pos || math.Float32bits(got[i].Score) != math.Float32bits(want[i].Score) {
			t.Fatalf("%s: hit %d = %+v, want %+v\n got %v\nwant %v", what, i, got[i], want[i], got, want)
		}
	}
}

func paper(t testing.TB) *latent.Layout {
	l, err := latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// check compares Search (sequential and with workers), Scan and naive on
// every query for several k.
func check(t *testing.T, name string, v []float32, nc int, ids []int64, queries [][]float32, ks []int, exclude func(int64) bool) {
	t.Helper()
	x, err := New(v, nc, ids)
	if err != nil {
		t.Fatal(err)
	}
	if ids == nil {
		ids = make([]int64, x.Len())
		for i := range ids {
			ids[i] = int64(i)
		}
	}
	opt := Options{Exclude: exclude}
	for qi, q := range queries {
		for _, k := range ks {
			want := naive(v, nc, ids, q, k, exclude)
			what := fmt.Sprintf("%s q%d %v k=%d", name, qi, q, k)
			for _, w := range []int{1, 3} {
				got, err := x.WithWorkers(w).Search(q, k, opt)
				if err != nil {
					t.Fatal(err)
				}
				sameHits(t, fmt.Sprintf("%s Search workers=%d", what, w), got, want)
			}
			got, err := x.Scan(q, k, opt)
			if err != nil {
				t.Fatal(err)
			}
			sameHits(t, what+" Scan", got, want)
		}
	}
}

func TestSearchRealistic(t *testing.T) {
	l := paper(t)
	z := SyntheticZ(l, 20000, 1)
	v := VOf(l, z)
	if s := nonzeroShare(v); s > 0.6 || s < 0.1 {
		t.Fatalf("synthetic v has %.2f non-zero entries, want a sparse but not empty mix", s)
	}
	// Queries: encodings of the same distribution, stored records
	// themselves, every centre, and points outside.
	qz := SyntheticZ(l, 25, 2)
	var queries [][]float32
	for i := 0; i < 25; i++ {
		q := make([]float32, 5)
		l.V32(qz[2*i:2*i+2], q)
		queries = append(queries, q)
	}
	for i := 0; i < 5; i++ {
		queries = append(queries, v[i*5:(i+1)*5])
		c := l.Center(i)
		q := make([]float32, 5)
		l.V32([]float32{float32(c[0]), float32(c[1])}, q)
		queries = append(queries, q)
	}
	queries = append(queries, []float32{0, 0, 0, 0, 0})
	check(t, "realistic", v, 5, nil, queries, []int{1, 10, 37}, nil)
	// Shuffled, sparse ids, with an exclusion.
	rng := rand.New(rand.NewPCG(3, 3))
	ids := make([]int64, 20000)
	for i := range ids {
		ids[i] = int64(i*7 + 1000)
	}
	rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	check(t, "ids", v, 5, ids, queries[:8], []int{10}, func(id int64) bool { return id%3 == 0 })
}

func TestSearchAdversarial(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	// Equal sums, all entries non-zero: one group, the band is everything.
	const n = 3000
	eq := make([]float32, n*5)
	for i := 0; i < n; i++ {
		w := make([]float64, 5)
		s := 0.0
		for c := range w {
			w[c] = rng.Float64() + 0.01
			s += w[c]
		}
		for c := range w {
			eq[i*5+c] = float32(1.5 * w[c] / s)
		}
	}
	// Many exact duplicates and ties.
	dup := make([]float32, n*5)
	for i := 0; i < n; i++ {
		copy(dup[i*5:], [][]float32{{1, 0, 0, 0, 0}, {0.5, 0.5, 0, 0, 0}, {0, 0, 0, 0, 0}, {0.25, 0.25, 0.25, 0.25, 0.25}}[i%4])
	}
	// Tiny (subnormal) and huge entries, zeros, mixed patterns.
	odd := make([]float32, n*5)
	for i := range odd {
		switch rng.IntN(6) {
		case 0:
			odd[i] = math.SmallestNonzeroFloat32 * float32(rng.IntN(5))
		case 1:
			odd[i] = float32(rng.Float64() * 1e30)
		case 2, 3:
			odd[i] = 0
		default:
			odd[i] = float32(rng.Float64())
		}
	}
	// Negative zeros count as zeros.
	for i := 0; i < len(odd); i += 7 {
		if odd[i] == 0 {
			odd[i] = float32(math.Copysign(0, -1))
		}
	}
	// Mostly zero vectors: fewer than k records share a centre with q.
	sparse := make([]float32, n*5)
	for i := 0; i < 5; i++ {
		sparse[(i*97)*5+i] = 0.5
	}
	queries := [][]float32{
		{1, 0, 0, 0, 0}, {0.3, 0.3, 0.3, 0.3, 0.3}, {0.5, 0.5, 0, 0, 0}, {0, 0, 0, 0, 0},
		{0, 0, 0, 0, 1e-30}, {math.SmallestNonzeroFloat32, 0, 0, 0, 0}, {0.9, 0, 0.05, 0, 0.2},
	}
	for i := 0; i < 5; i++ {
		q := make([]float32, 5)
		for c := range q {
			if rng.IntN(2) == 0 {
				q[c] = float32(rng.Float64())
			}
		}
		queries = append(queries, q)
	}
	ks := []int{1, 10, 50}
	check(t, "equal-sums", eq, 5, nil, append(queries, eq[:5], eq[5:10]), ks, nil)
	check(t, "duplicates", dup, 5, nil, queries, ks, nil)
	check(t, "odd-values", odd, 5, nil, append(queries, odd[:5]), ks, nil)
	check(t, "sparse", sparse, 5, nil, queries, ks, func(id int64) bool { return id == 0 })
	// k larger than the index; one class; many classes.
	check(t, "small", eq[:20], 5, nil, queries[:3], []int{10, 100}, nil)
	one := make([]float32, 500)
	for i := range one {
		one[i] = float32(rng.IntN(4)) / 3
	}
	check(t, "n_c=1", one, 1, nil, [][]float32{{1}, {0}, {0.5}}, ks, nil)
	many := make([]float32, 2000*12)
	for i := range many {
		if rng.IntN(5) == 0 {
			many[i] = float32(rng.Float64())
		}
	}
	q12 := [][]float32{many[:12], many[12:24], make([]float32, 12)}
	check(t, "n_c=12", many, 12, nil, q12, ks, nil)
}

func TestSearchParallelPath(t *testing.T) {
	old := parallelMin
	parallelMin = 500
	defer func() { parallelMin = old }()
	l := paper(t)
	v := VOf(l, SyntheticZ(l, 30000, 8))
	rng := rand.New(rand.NewPCG(1, 2))
	eq := make([]float32, 5000*5)
	for i := range eq {
		eq[i] = float32(0.2 + 0.01*rng.Float64())
	}
	queries := [][]float32{{1, 0, 0, 0, 0}, {0.4, 0.6, 0, 0, 0}, {0.2, 0.2, 0.2, 0.2, 0.2}, v[5:10]}
	check(t, "parallel-realistic", v, 5, nil, queries, []int{10, 200}, nil)
	check(t, "parallel-equal", eq, 5, nil, queries, []int{10, 200}, func(id int64) bool { return id < 3 })
}

func TestSearchErrors(t *testing.T) {
	if _, err := New([]float32{1, 2, 3}, 2, nil); err == nil {
		t.Fatal("ragged v: no error")
	}
	if _, err := New([]float32{1, -1}, 2, nil); err == nil {
		t.Fatal("negative v: no error")
	}
	if _, err := New([]float32{1, float32(math.NaN())}, 2, nil); err == nil {
		t.Fatal("NaN v: no error")
	}
	if _, err := New([]float32{1, 1, 1, 1}, 2, []int64{4, 4}); err == nil {
		t.Fatal("duplicate ids: no error")
	}
	x, err := New([]float32{1, 0, 0, 1}, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range [][]float32{{1}, {1, -1}, {float32(math.Inf(1)), 0}} {
		if _, err := x.Search(q, 1, Options{}); err == nil {
			t.Fatalf("query %v: no error", q)
		}
	}
	if h, err := x.Search([]float32{1, 0}, 0, Options{}); err != nil || len(h) != 0 {
		t.Fatalf("k=0: %v %v", h, err)
	}
	e, _ := New(nil, 2, nil)
	if h, err := e.Search([]float32{1, 0}, 5, Options{}); err != nil || len(h) != 0 {
		t.Fatalf("empty index: %v %v", h, err)
	}
}

func TestSearchBatch(t *testing.T) {
	l := paper(t)
	v := VOf(l, SyntheticZ(l, 5000, 4))
	x, err := New(v, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	qs := [][]float32{v[:5], v[5:10], v[10:15], {0, 0, 1, 0, 0}}
	got, err := x.SearchBatch(qs, 10, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range qs {
		sameHits(t, fmt.Sprint("batch ", i), got[i], naive(v, 5, x.ids, q, 10, nil))
	}
}
