package bench

import (
	"context"
	"fmt"

	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/search"
)

// SearchK is the number of hits of the search measurement (top-10).
const SearchK = 10

// searchQueries is the number of distinct queries generated.
const searchQueries = 1000

// SearchData is the synthetic index of the search measurement and its
// queries, as search.BenchmarkSearch1M builds them: n encodings spread
// like a trained configured LS (search.SyntheticZ, seed 1) and their v
// vectors on the paper's circle layout; the queries are v vectors of 1000
// more encodings (seed 2).
type SearchData struct {
	// V is the stored v vectors, n x n_c row-major.
	V []float32
	// Queries are query v vectors (n_c each).
	Queries [][]float32
	// Index is the search index over V; record ids are the positions.
	Index *search.Index
	// NC is n_c.
	NC int
}

// NewSearchData builds the synthetic index of n entries.
func NewSearchData(n int) (*SearchData, error) {
	if n < 1 {
		return nil, fmt.Errorf("search index: %d entries", n)
	}
	l, err := latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err != nil {
		return nil, err
	}
	nc := l.NC()
	d := &SearchData{NC: nc, V: search.VOf(l, search.SyntheticZ(l, n, 1))}
	qv := search.VOf(l, search.SyntheticZ(l, searchQueries, 2))
	for i := 0; i < searchQueries; i++ {
		d.Queries = append(d.Queries, qv[i*nc:(i+1)*nc])
	}
	d.Index, err = search.New(d.V, nc, nil)
	if err != nil {
		return nil, fmt.Errorf("search index: %w", err)
	}
	return d, nil
}

// MeasureSearch times single queries (search.Index.Search, exact top-10,
// one query at a time with threads workers, 0 = the index's default),
// cycling through the queries, for at least seconds and at least
// 10*minIters queries.
func MeasureSearch(ctx context.Context, mem *PeakMeter, d *SearchData, seconds float64, threads int) (Sample, error) {
	mem.Reset()
	base := mem.Current()
	idx := d.Index
	if threads > 0 {
		idx = idx.WithWorkers(threads)
	}
	i := 0
	step := func() error {
		_, e := idx.Search(d.Queries[i%len(d.Queries)], SearchK, search.Options{})
		i++
		return e
	}
	lp, err := timeLoop(ctx, seconds, 10*minIters, step)
	if err != nil {
		return Sample{}, fmt.Errorf("search: %w", err)
	}
	return lp.sample(1, mem, base), nil
}

// topIDs is the ids of our exact top-k for a query.
func (d *SearchData) topIDs(q []float32) ([]int64, error) {
	hits, err := d.Index.Search(q, SearchK, search.Options{})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids, nil
}

// MeasureSearchBatch times batches of batch queries through
// search.Index.SearchBatch (exact top-10 each, as MeasureSearch; the
// queries of a batch are spread over threads workers, 0 = the index's
// default, each query on one: the index has no batched product to gain
// from, unlike FAISS's BLAS path). The rate counts queries.
func MeasureSearchBatch(ctx context.Context, mem *PeakMeter, d *SearchData, batch int, seconds float64, threads int) (Sample, error) {
	mem.Reset()
	base := mem.Current()
	idx := d.Index
	if threads > 0 {
		idx = idx.WithWorkers(threads)
	}
	qs := make([][]float32, batch)
	i := 0
	step := func() error {
		for j := range qs {
			qs[j] = d.Queries[(i+j)%len(d.Queries)]
		}
		i += batch
		_, err := idx.SearchBatch(qs, SearchK, search.Options{})
		return err
	}
	lp, err := timeLoop(ctx, seconds, minIters, step)
	if err != nil {
		return Sample{}, fmt.Errorf("search batches: %w", err)
	}
	return lp.sample(batch, mem, base), nil
}
