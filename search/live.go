package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lsconf/lsconf/index"
)

// ErrEmpty is returned (wrapped) by Live.Searcher when the index or the
// collections asked for hold no records yet.
var ErrEmpty = errors.New("no records yet")

// LiveOptions configure a Live.
type LiveOptions struct {
	// Vocab are extra vocabulary file texts (OpenOptions.Vocab).
	Vocab []string
	// ReloadEvery is the least time between two background reloads of a
	// snapshot while the index keeps changing (0 = 2 s).
	ReloadEvery time.Duration
	// MaxSnapshots bounds the snapshots kept, one per distinct collection
	// filter; the least recently used is dropped first (0 = 8).
	MaxSnapshots int
	// MaxLoads bounds the snapshots read at once (0 = 2).
	MaxLoads int
}

// Live keeps Searchers of an index that follows its changes: one per
// collection filter, reloaded when the index's generation changed. The
// first request of a filter opens its Searcher (concurrent requests of
// the same filter wait for that one load); afterwards, when the index has
// changed and the snapshot is older than ReloadEvery, a newer one is read
// in the background while requests keep using the current one (a
// consistent committed state), so searches never wait for a reload. Live
// is safe for concurrent use.
type Live struct {
	db      *index.DB
	opt     LiveOptions
	mu      sync.Mutex
	held    map[string]*held
	loading map[string]chan struct{} // filters being loaded, closed when done
	loads   chan struct{}
}

// held is a filter's Searcher, when it was loaded and last used, and
// whether a newer one is being loaded in the background.
type held struct {
	e         *Searcher
	at, used  time.Time
	reloading bool
}

// NewLive makes a Live over db (keep db open while it is used).
func NewLive(db *index.DB, opt LiveOptions) *Live {
	if opt.ReloadEvery <= 0 {
		opt.ReloadEvery = 2 * time.Second
	}
	if opt.MaxSnapshots <= 0 {
		opt.MaxSnapshots = 8
	}
	if opt.MaxLoads <= 0 {
		opt.MaxLoads = 2
	}
	return &Live{db: db, opt: opt, held: map[string]*held{}, loading: map[string]chan struct{}{}, loads: make(chan struct{}, opt.MaxLoads)}
}

// FilterKey normalises a comma-separated collection filter: names
// trimmed, blanks dropped, duplicates merged, sorted; "" is every
// collection. Equal filters share one snapshot, however they are spelled.
func FilterKey(collection string) (string, []string) {
	var cols []string
	for _, c := range strings.Split(collection, ",") {
		if c = strings.TrimSpace(c); c != "" {
			cols = append(cols, c)
		}
	}
	slices.Sort(cols)
	cols = slices.Compact(cols)
	return strings.Join(cols, ","), cols
}

// Searcher returns the current Searcher of the collections a
// comma-separated filter names ("" = all). Errors wrap index.ErrNoModel
// (nothing indexed yet), ErrEmpty (no records in those collections),
// index.ErrNotFound (an unknown collection) or the context's error.
func (l *Live) Searcher(ctx context.Context, collection string) (*Searcher, error) {
	key, cols := FilterKey(collection)
	gen, err := l.db.Generation(ctx)
	if err != nil {
		return nil, err
	}
	for {
		l.mu.Lock()
		if h, ok := l.held[key]; ok {
			h.used = time.Now()
			if h.e.Generation() != gen && !h.reloading && time.Since(h.at) >= l.opt.ReloadEvery {
				h.reloading = true
				go l.reload(key, cols)
			}
			l.mu.Unlock()
			return h.e, nil
		}
		wait, busy := l.loading[key]
		if !busy {
			l.loading[key] = make(chan struct{})
		}
		l.mu.Unlock()
		if !busy {
			break
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The load finished: use its snapshot, or load again if it failed.
	}
	e, err := l.load(ctx, key, cols)
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.loading[key])
	delete(l.loading, key)
	if err != nil {
		return nil, err
	}
	if h, ok := l.held[key]; !ok || h.e.Generation() < e.Generation() {
		now := time.Now()
		l.held[key] = &held{e: e, at: now, used: now}
		l.evict()
	}
	return e, nil
}

// Held is the number of snapshots held.
func (l *Live) Held() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.held)
}

// evict drops the least recently used snapshots beyond MaxSnapshots
// (l.mu held). A snapshot being reloaded may be dropped: its reload then
// finds it gone and discards itself.
func (l *Live) evict() {
	for len(l.held) > l.opt.MaxSnapshots {
		var oldest string
		var at time.Time
		first := true
		for k, h := range l.held {
			if first || h.used.Before(at) {
				oldest, at, first = k, h.used, false
			}
		}
		delete(l.held, oldest)
	}
}

// reload reads a newer snapshot in the background and installs it.
func (l *Live) reload(key string, cols []string) {
	e, err := l.load(context.Background(), key, cols)
	l.mu.Lock()
	defer l.mu.Unlock()
	h, ok := l.held[key]
	if !ok {
		return // evicted meanwhile
	}
	if err != nil {
		// Keep answering with the snapshot we have; retry after ReloadEvery.
		h.reloading, h.at = false, time.Now()
		return
	}
	l.held[key] = &held{e: e, at: time.Now(), used: h.used}
}

// load opens a Searcher, at most MaxLoads at once; an empty one is an
// error (it is not kept, so the next request loads again).
func (l *Live) load(ctx context.Context, key string, cols []string) (*Searcher, error) {
	select {
	case l.loads <- struct{}{}:
		defer func() { <-l.loads }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	e, err := Open(ctx, l.db, OpenOptions{Collections: cols, Vocab: l.opt.Vocab})
	if err != nil {
		return nil, err
	}
	if e.Len() == 0 {
		if key == "" {
			return nil, fmt.Errorf("the index: %w", ErrEmpty)
		}
		return nil, fmt.Errorf("collection %s: %w", key, ErrEmpty)
	}
	return e, nil
}
