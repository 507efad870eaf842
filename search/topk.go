package search

import "slices"

// Hit is one search result: a record id, its position in the Index's input
// order, and its similarity to the query (eq 15, float32 arithmetic).
type Hit struct {
	ID    int64   `json:"id"`
	Pos   int     `json:"-"`
	Score float32 `json:"score"`
}

// better is the ranking order: higher score first, ties by lower id.
func better(a, b Hit) bool {
	return a.Score > b.Score || (a.Score == b.Score && a.ID < b.ID)
}

// topK keeps the k best hits in a heap whose root is the worst kept hit.
// A floor, when set, is a hit every accepted one must beat (used by
// parallel workers that start from a partly filled global heap).
type topK struct {
	k        int
	h        []Hit
	floor    Hit
	hasFloor bool
}

func newTopK(k int) *topK { return &topK{k: k, h: make([]Hit, 0, k)} }

func (t *topK) full() bool { return len(t.h) == t.k }

// threshold is the score a candidate must reach (bounds below it prune),
// or -1 when nothing can be pruned yet.
func (t *topK) threshold() float32 {
	if len(t.h) == t.k {
		return t.h[0].Score
	}
	if t.hasFloor {
		return t.floor.Score
	}
	return -1
}

// push offers a hit; it reports whether the hit was kept.
func (t *topK) push(x Hit) bool {
	if t.k <= 0 {
		return false
	}
	if len(t.h) < t.k {
		if t.hasFloor && !better(x, t.floor) {
			return false
		}
		t.h = append(t.h, x)
		t.up(len(t.h) - 1)
		return true
	}
	if !better(x, t.h[0]) {
		return false
	}
	t.h[0] = x
	t.down(0)
	return true
}

func (t *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !better(t.h[p], t.h[i]) { // parent must be worse than child
			break
		}
		t.h[p], t.h[i] = t.h[i], t.h[p]
		i = p
	}
}

func (t *topK) down(i int) {
	n := len(t.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if r := l + 1; r < n && better(t.h[l], t.h[r]) {
			w = r
		}
		if !better(t.h[i], t.h[w]) {
			return
		}
		t.h[i], t.h[w] = t.h[w], t.h[i]
		i = w
	}
}

// sorted returns the kept hits, best first.
func (t *topK) sorted() []Hit {
	out := append([]Hit(nil), t.h...)
	slices.SortFunc(out, func(a, b Hit) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return out
}
