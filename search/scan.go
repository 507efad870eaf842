package search

import (
	"context"
	"math"
	"sort"
	"sync"

	"github.com/lsconf/lsconf/internal/parallel"
)

// margin is the relative slack of every pruning bound: bounds are computed
// in float64 from float32 sums, and a score's float32 rounding (a few ulps,
// about 1e-7 relative) must never push an entry past a bound that excluded
// it. 1e-5 is far above that and costs almost nothing.
const margin = 1e-5

// minPrune is the smallest threshold that prunes: below it scores may be
// subnormal, where float32 division loses the relative precision the
// margin assumes, so nothing is pruned (such thresholds only occur when
// nearly every score is 0).
const minPrune = 1e-30

// minVecPrune and minVecSum bound where the float32 vector pre-filter
// (num < thr*max(sum q, sum v)) is used: with the threshold >= 1e-6 and
// sum q >= 1e-20 its products are normal floats, so its rounding (a few
// 2^-24) stays far inside the 2*margin it is given.
const (
	minVecPrune = 1e-6
	minVecSum   = 1e-20
)

// pruneAt is the threshold used for bounds: th, or -1 (no pruning) when th
// is below minPrune.
func pruneAt(th float32) float64 {
	if th < minPrune {
		return -1
	}
	return float64(th)
}

// parallelMin is the candidate count above which one search is split over
// the workers (a variable so that tests can exercise the parallel path).
var parallelMin = 1 << 17

// scoreBlock is the number of entries scored column by column at once.
const scoreBlock = 256

// seedWindow is how many entries around the query's own sum, in its most
// promising group, are scored first to raise the pruning threshold early.
const seedWindow = 64

// Search returns the k records most similar to the query v vector q by
// sim (eq 15), best first, ties broken by lower record id. It is exact:
// the same hits and scores (bit for bit) as Scan, which computes
// latent.Sim32 for every record. It prunes with the bound
//
//	sim(q, v) <= min(sum of q over v's non-zero entries, sum v) / max(sum q, sum v)
//
// which, for records grouped by their non-zero entries and sorted by sum v,
// leaves one contiguous band of each group to score.
func (x *Index) Search(q []float32, k int, opt Options) ([]Hit, error) {
	if err := x.checkQuery(q); err != nil {
		return nil, err
	}
	return x.search(positiveZeros(q), k, opt, x.nworkers()), nil
}

// SearchBatch runs many queries, spread over the workers (each query
// sequential), and returns their hits in order.
func (x *Index) SearchBatch(qs [][]float32, k int, opt Options) ([][]Hit, error) {
	for _, q := range qs {
		if err := x.checkQuery(q); err != nil {
			return nil, err
		}
	}
	out := make([][]Hit, len(qs))
	// Background context: For cannot fail without a cancellation.
	_ = parallel.For(context.Background(), len(qs), min(x.nworkers(), max(len(qs), 1)), func(i int) {
		out[i] = x.search(positiveZeros(qs[i]), k, opt, 1)
	}, nil)
	return out, nil
}

// span is a contiguous range of one group to score.
type span struct {
	g      *group
	lo, hi int
	qS     float64   // sum of q over the group's columns
	cols   []int     // indices t into g.vals of columns where q > 0
	qv     []float32 // q at those columns
}

type scorer struct {
	sq      float32
	sq64    float64
	exclude func(int64) bool
	top     *topK
}

func (x *Index) search(q []float32, k int, opt Options, workers int) []Hit {
	if k <= 0 || x.Len() == 0 {
		return nil
	}
	var sq float32
	for _, a := range q {
		sq += a
	}
	if sq == 0 {
		// Every score is 0 (eq 15 with sum q = 0): the k lowest ids.
		return x.zeroScores(k, opt)
	}
	top := newTopK(min(k, x.Len()))
	sc := &scorer{sq: sq, sq64: float64(sq), exclude: opt.Exclude, top: top}

	// Spans with a chance: groups sharing a non-zero column with q.
	spans := make([]span, 0, len(x.groups))
	for gi := range x.groups {
		g := &x.groups[gi]
		sp := span{g: g, lo: 0, hi: len(g.ids)}
		for t, c := range g.cols {
			if q[c] > 0 {
				sp.cols = append(sp.cols, t)
				sp.qv = append(sp.qv, q[c])
				sp.qS += float64(q[c])
			}
		}
		if len(sp.cols) > 0 {
			spans = append(spans, sp)
		}
	}
	// Most promising first: a high bound qS/sum q, then the fewest columns
	// that q lacks, then size (the groups are stored largest first).
	sort.SliceStable(spans, func(a, b int) bool {
		sa, sb := spans[a], spans[b]
		if sa.qS != sb.qS {
			return sa.qS > sb.qS
		}
		return len(sa.g.cols)-len(sa.cols) < len(sb.g.cols)-len(sb.cols)
	})

	if len(spans) > 0 {
		// Seed: score the entries whose sum is nearest sum q in the most
		// promising group, then cut that window out of its span.
		s0 := spans[0]
		p := sort.Search(len(s0.g.sums), func(j int) bool { return s0.g.sums[j] >= sq })
		a, b := max(p-seedWindow/2, 0), min(p+seedWindow/2, len(s0.g.sums))
		sc.score(span{g: s0.g, lo: a, hi: b, qS: s0.qS, cols: s0.cols, qv: s0.qv}, false)
		rest := spans[:0:0]
		if a > 0 {
			left := s0
			left.hi = a
			rest = append(rest, left)
		}
		if b < len(s0.g.sums) {
			right := s0
			right.lo = b
			rest = append(rest, right)
		}
		spans = append(rest, spans[1:]...)
	}

	// Narrow every span to its band under the current threshold.
	total := 0
	live := spans[:0]
	for _, sp := range spans {
		if sc.narrow(&sp) {
			total += sp.hi - sp.lo
			live = append(live, sp)
		}
	}
	if workers > 1 && total >= parallelMin {
		sc.parallel(live, total, workers)
	} else {
		for _, sp := range live {
			if sc.narrow(&sp) {
				sc.score(sp, true)
			}
		}
	}
	if !top.full() || top.h[0].Score == 0 {
		// Fewer than k records share a centre with the query: the rest of
		// the list is zero scores, ranked by id. Rare; take the plain path.
		return x.scan(q, k, opt, workers)
	}
	return top.sorted()
}

// narrow shrinks sp to the entries whose bound reaches the threshold; it
// reports whether anything is left.
func (sc *scorer) narrow(sp *span) bool {
	th := pruneAt(sc.top.threshold())
	if th <= 0 {
		return sp.hi > sp.lo
	}
	th /= 1 + margin
	if sp.qS < th*sc.sq64 {
		return false
	}
	lo := float32(th * sc.sq64 * (1 - margin))
	hi := sp.qS / th * (1 + margin)
	sums := sp.g.sums
	a := sp.lo + sort.Search(sp.hi-sp.lo, func(j int) bool { return sums[sp.lo+j] >= lo })
	b := a + sort.Search(sp.hi-a, func(j int) bool { return float64(sums[a+j]) > hi })
	sp.lo, sp.hi = a, b
	return b > a
}

// score evaluates the entries of sp in ascending sum order, stopping when
// the sums pass the (shrinking) upper limit of the band when band is set.
func (sc *scorer) score(sp span, band bool) {
	g := sp.g
	top := sc.top
	sq := sc.sq
	th := top.threshold()
	limit := math.Inf(1)
	thLow := -1.0
	var thr32 float32 // > 0: the vector pre-filter's threshold
	setTh := func() {
		if p := pruneAt(th); p > 0 {
			thLow = p * (1 - margin)
			if band {
				limit = sp.qS / (p / (1 + margin)) * (1 + margin)
			}
			if p >= minVecPrune && sq >= minVecSum {
				thr32 = float32(p * (1 - 2*margin))
			}
		}
	}
	setTh()
	sums := g.sums[sp.lo:sp.hi]
	ids := g.ids[sp.lo:sp.hi]
	pos := g.pos[sp.lo:sp.hi]
	var buf [scoreBlock]float32
	var candBuf [scoreBlock]int32
	for off := 0; off < len(sums); off += scoreBlock {
		end := min(off+scoreBlock, len(sums))
		if float64(sums[off]) > limit {
			return
		}
		// Column by column over the block: num = sum_t min(q_t, v_t), in
		// ascending column order (the order of latent.Sim32).
		num := buf[:end-off]
		minInto(num, sp.qv[0], g.vals[sp.cols[0]][sp.lo+off:sp.lo+end])
		for t := 1; t < len(sp.cols); t++ {
			addMin(num, sp.qv[t], g.vals[sp.cols[t]][sp.lo+off:sp.lo+end])
		}
		bs := sums[off:end]
		bs = bs[:len(num)]
		// Candidates: with a threshold, the entries a float32 vector test
		// cannot rule out (a superset of those whose exact score reaches it);
		// without, all.
		var cand []int32
		if thr32 > 0 {
			cand = keep(num, bs, sq, thr32, candBuf[:0])
		} else {
			cand = allPositions[:len(num)]
		}
		for _, j := range cand {
			nj, sj := num[j], bs[j]
			if float64(sj) > limit {
				return
			}
			den := max(sq, sj)
			if float64(nj) < thLow*float64(den) {
				continue
			}
			id := ids[off+int(j)]
			if sc.exclude != nil && sc.exclude(id) {
				continue
			}
			if !top.push(Hit{ID: id, Pos: int(pos[off+int(j)]), Score: nj / den}) {
				continue
			}
			if nt := top.threshold(); nt != th {
				th = nt
				setTh()
			}
		}
	}
}

// allPositions is 0, 1, ..., scoreBlock-1.
var allPositions = func() []int32 {
	a := make([]int32, scoreBlock)
	for i := range a {
		a[i] = int32(i)
	}
	return a
}()

// parallel scores the spans with w workers, each with its own heap floored
// at the current k-th best, and merges the heaps.
func (sc *scorer) parallel(spans []span, total, w int) {
	chunk := (total + w - 1) / w
	var parts [][]span
	var cur []span
	room := chunk
	for _, sp := range spans {
		for sp.hi > sp.lo {
			n := min(sp.hi-sp.lo, room)
			part := sp
			part.hi = sp.lo + n
			cur = append(cur, part)
			sp.lo += n
			room -= n
			if room == 0 {
				parts = append(parts, cur)
				cur, room = nil, chunk
			}
		}
	}
	if len(cur) > 0 {
		parts = append(parts, cur)
	}
	heaps := make([]*topK, len(parts))
	var wg sync.WaitGroup
	for i, part := range parts {
		h := newTopK(sc.top.k)
		if sc.top.full() {
			h.floor, h.hasFloor = sc.top.h[0], true // the k-th best so far
		}
		heaps[i] = h
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := &scorer{sq: sc.sq, sq64: sc.sq64, exclude: sc.exclude, top: h}
			for _, sp := range part {
				if ws.narrow(&sp) {
					ws.score(sp, true)
				}
			}
		}()
	}
	wg.Wait()
	for _, h := range heaps {
		for _, hit := range h.h {
			sc.top.push(hit)
		}
	}
}

// zeroScores is the result when every score is 0: the k lowest ids.
func (x *Index) zeroScores(k int, opt Options) []Hit {
	top := newTopK(min(k, x.Len()))
	for i, id := range x.ids {
		if opt.Exclude != nil && opt.Exclude(id) {
			continue
		}
		top.push(Hit{ID: id, Pos: i})
	}
	return top.sorted()
}
