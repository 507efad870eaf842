package bench

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/search"
)

// FaissResult is what bench/search_faiss.py prints.
type FaissResult struct {
	N       int    `json:"n"`
	Queries int    `json:"queries"`
	Batch   int    `json:"batch"`
	Version string `json:"faiss"`
	Threads int    `json:"threads"`
	// Top and Dist are the exact (IndexFlatL2) top-k ids and squared L2
	// distances of the first queries.
	Top  [][]int64   `json:"top"`
	Dist [][]float64 `json:"dist"`
	// Rates (q/s) and CPU ms per query: the exact index one query at a
	// time and in batches, the IVF index likewise.
	FlatQPS        float64 `json:"flat_qps"`
	FlatCPU        float64 `json:"flat_cpu_ms"`
	FlatBatchQPS   float64 `json:"flat_batch_qps"`
	FlatBatchCPU   float64 `json:"flat_batch_cpu_ms"`
	IVFQPS         float64 `json:"ivf_qps"`
	IVFCPU         float64 `json:"ivf_cpu_ms"`
	IVFBatchQPS    float64 `json:"ivf_batch_qps"`
	IVFBatchCPU    float64 `json:"ivf_batch_cpu_ms"`
	IVFNList       int     `json:"ivf_nlist"`
	IVFNProbe      int     `json:"ivf_nprobe"`
	IVFRecall      float64 `json:"ivf_recall"`
	IVFBuildSecond float64 `json:"ivf_build_seconds"`
	// Peak is the peak resident set of the Python process, in bytes.
	Peak uint64 `json:"-"`
}

// FaissPeer runs the FAISS search peer on a SearchData's v vectors and
// queries, which it writes once (raw little-endian float32).
type FaissPeer struct {
	python, script, vPath, qPath string
	d                            *SearchData
}

// NewFaissPeer writes d's v vectors and queries into dir for the script.
func NewFaissPeer(python, script, dir string, d *SearchData) (*FaissPeer, error) {
	p := &FaissPeer{python: python, script: script, d: d,
		vPath: filepath.Join(dir, "faiss-v.f32"), qPath: filepath.Join(dir, "faiss-q.f32")}
	if err := os.WriteFile(p.vPath, index.Float32Bytes(d.V), 0o644); err != nil {
		return nil, fmt.Errorf("faiss peer: write v vectors: %w", err)
	}
	var flat []float32
	for _, q := range d.Queries {
		flat = append(flat, q...)
	}
	if err := os.WriteFile(p.qPath, index.Float32Bytes(flat), 0o644); err != nil {
		return nil, fmt.Errorf("faiss peer: write queries: %w", err)
	}
	return p, nil
}

// faissCheckQueries is the number of queries whose exact top-k the bench
// checks against its own L2 scan.
const faissCheckQueries = 50

// Run runs the peer (each of its four timings for about seconds, batched
// rows in batches of batch, with threads OpenMP threads, 0 = FAISS's
// default) and checks its exact top-k against an exact
// L2 scan in Go over the same vectors (TopL2): same ids in the same order,
// or the same distances where ids tie. It returns the number of queries
// whose ids were equal in order too.
func (p *FaissPeer) Run(ctx context.Context, seconds float64, batch, threads int) (FaissResult, int, error) {
	var r FaissResult
	peak, err := peerRun(ctx, time.Duration(40*seconds)*time.Second+20*time.Minute, &r, nil, p.python, p.script,
		"--v", p.vPath, "--q", p.qPath, "--nc", strconv.Itoa(p.d.NC), "--k", strconv.Itoa(SearchK),
		"--batch", strconv.Itoa(batch), "--seconds", strconv.FormatFloat(seconds, 'g', -1, 64),
		"--check", strconv.Itoa(faissCheckQueries), "--threads", strconv.Itoa(threads))
	if err != nil {
		return r, 0, fmt.Errorf("faiss peer: %w", err)
	}
	r.Peak = peak
	if len(r.Top) != min(faissCheckQueries, len(p.d.Queries)) || len(r.Dist) != len(r.Top) || r.FlatQPS <= 0 || r.IVFQPS <= 0 {
		return r, 0, fmt.Errorf("faiss peer: %d top lists, %v q/s exact, %v q/s IVF", len(r.Top), r.FlatQPS, r.IVFQPS)
	}
	same := 0
	for i, ids := range r.Top {
		want, wantD := TopL2(p.d.V, p.d.NC, p.d.Queries[i], SearchK)
		if slices.Equal(ids, want) {
			same++
			continue
		}
		// Ties: FAISS's ids must be at the same distances as ours.
		for j, id := range ids {
			if id < 0 || int(id) >= len(p.d.V)/p.d.NC {
				return r, same, fmt.Errorf("%w: query %d: FAISS id %d out of range", ErrFaissTop, i, id)
			}
			d := l2(p.d.V[int(id)*p.d.NC:(int(id)+1)*p.d.NC], p.d.Queries[i])
			if math.Abs(d-wantD[j]) > 1e-5*(1+wantD[j]) {
				return r, same, fmt.Errorf("%w: query %d: FAISS %v, exact L2 scan %v", ErrFaissTop, i, ids, want)
			}
		}
	}
	return r, same, nil
}

// ErrFaissTop is returned when FAISS's exact top-10 differ from an exact
// L2 scan over the same vectors.
var ErrFaissTop = fmt.Errorf("FAISS IndexFlatL2 and an exact L2 scan disagree on the top-%d", SearchK)

// TopL2 is the exact top-k of q by squared L2 distance over the n x nc
// vectors v (float64 sums; ties by the lower position), and the distances.
func TopL2(v []float32, nc int, q []float32, k int) ([]int64, []float64) {
	type hit struct {
		d  float64
		id int64
	}
	best := make([]hit, 0, k+1)
	for i := 0; i*nc < len(v); i++ {
		d := l2(v[i*nc:(i+1)*nc], q)
		if len(best) == k && d >= best[k-1].d {
			continue
		}
		j := len(best)
		best = append(best, hit{})
		for j > 0 && best[j-1].d > d {
			best[j] = best[j-1]
			j--
		}
		best[j] = hit{d, int64(i)}
		if len(best) > k {
			best = best[:k]
		}
	}
	ids := make([]int64, len(best))
	ds := make([]float64, len(best))
	for i, h := range best {
		ids[i], ds[i] = h.id, h.d
	}
	return ids, ds
}

func l2(a, b []float32) float64 {
	s := 0.0
	for i, x := range a {
		d := float64(x) - float64(b[i])
		s += d * d
	}
	return s
}

// Eq15TopOfL2 counts the queries (of the first len(tops)) for which an L2
// top-k, tops[i] (e.g. FAISS IndexFlatL2's), is also an exact top-k by
// eq 15: k distinct records, each scoring (latent.Sim32, the index's
// arithmetic) at least lsconf's k-th best score for that query, so it
// equals lsconf's top-k up to ties. eq 15 is not a monotonic function of
// the L2 distance between v vectors (docs/speed.md gives
// counterexamples), so this measures how often the two rankings happen
// to agree on this data.
func (d *SearchData) Eq15TopOfL2(tops [][]int64) (int, error) {
	n := len(d.V) / d.NC
	agree := 0
	for i, ids := range tops {
		q := d.Queries[i]
		hits, err := d.Index.Search(q, SearchK, search.Options{})
		if err != nil {
			return 0, fmt.Errorf("eq 15 top-%d of query %d: %w", SearchK, i, err)
		}
		if len(hits) < SearchK || len(ids) != SearchK {
			continue
		}
		kth := hits[len(hits)-1].Score
		ok := true
		seen := make(map[int64]bool, len(ids))
		for _, id := range ids {
			if id < 0 || int(id) >= n || seen[id] {
				ok = false
				break
			}
			seen[id] = true
			if latent.Sim32(q, d.V[int(id)*d.NC:(int(id)+1)*d.NC]) < kth {
				ok = false
				break
			}
		}
		if ok {
			agree++
		}
	}
	return agree, nil
}
