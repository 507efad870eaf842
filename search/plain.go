package search

import (
	"sync"

	"github.com/lsconf/lsconf/latent"
)

// Scan is the plain exact ranking: latent.Sim32 of the query with every
// record, in parallel over the workers, into top-k heaps. Search must give
// the same hits; Scan is its reference and the baseline of the benchmarks.
func (x *Index) Scan(q []float32, k int, opt Options) ([]Hit, error) {
	if err := x.checkQuery(q); err != nil {
		return nil, err
	}
	return x.scan(positiveZeros(q), k, opt, x.nworkers()), nil
}

func (x *Index) scan(q []float32, k int, opt Options, workers int) []Hit {
	n := x.Len()
	if k <= 0 || n == 0 {
		return nil
	}
	k = min(k, n)
	workers = max(1, min(workers, n/4096+1))
	heaps := make([]*topK, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*n/workers, (w+1)*n/workers
		h := newTopK(k)
		heaps[w] = h
		wg.Add(1)
		go func() {
			defer wg.Done()
			nc := x.nc
			for i := lo; i < hi; i++ {
				id := x.ids[i]
				if opt.Exclude != nil && opt.Exclude(id) {
					continue
				}
				h.push(Hit{ID: id, Pos: i, Score: latent.Sim32(q, x.v[i*nc:(i+1)*nc])})
			}
		}()
	}
	wg.Wait()
	top := heaps[0]
	for _, h := range heaps[1:] {
		for _, hit := range h.h {
			top.push(hit)
		}
	}
	return top.sorted()
}
