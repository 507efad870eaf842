package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/search"
)

// loaded is a search snapshot, when it was loaded and last used, and
// whether a newer one is being loaded in the background.
type loaded struct {
	e         *search.Searcher
	at        time.Time
	used      time.Time
	reloading bool
}

// filterKey normalises a collection filter: names trimmed, blanks dropped,
// duplicates merged, sorted; "" is every collection. Equal filters share
// one snapshot, however they are spelled.
func filterKey(collection string) (string, []string) {
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

// searcher returns the search snapshot of the named collections. The first
// request of a collection filter loads it (concurrent requests of the same
// filter wait for that one load; at most two filters load at once);
// afterwards, when the index has changed and the snapshot is older than
// ReloadEvery, a newer one is loaded in the background while requests keep
// using the current one (a consistent committed state), so searches never
// wait for a reload. At most MaxSnapshots snapshots are kept; the least
// recently used is evicted.
func (s *Server) searcher(ctx context.Context, collection string) (*search.Searcher, int, error) {
	key, cols := filterKey(collection)
	gen, err := s.cfg.DB.Generation(ctx)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	for {
		s.mu.Lock()
		if l, ok := s.searchers[key]; ok {
			l.used = time.Now()
			if l.e.Generation() != gen && !l.reloading && time.Since(l.at) >= s.cfg.ReloadEvery {
				l.reloading = true
				go s.reload(key, cols)
			}
			s.mu.Unlock()
			return l.e, 0, nil
		}
		wait, busy := s.loading[key]
		if !busy {
			s.loading[key] = make(chan struct{})
		}
		s.mu.Unlock()
		if !busy {
			break
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, http.StatusServiceUnavailable, ctx.Err()
		}
		// The load finished: use its snapshot, or load again if it failed.
	}
	e, status, err := s.load(ctx, key, cols)
	s.mu.Lock()
	defer s.mu.Unlock()
	close(s.loading[key])
	delete(s.loading, key)
	if err != nil {
		return nil, status, err
	}
	if l, ok := s.searchers[key]; !ok || l.e.Generation() < e.Generation() {
		now := time.Now()
		s.searchers[key] = &loaded{e: e, at: now, used: now}
		s.evict()
	}
	return e, 0, nil
}

// evict drops the least recently used snapshots beyond MaxSnapshots
// (s.mu held). A snapshot being reloaded may be dropped: its reload then
// finds it gone and discards itself.
func (s *Server) evict() {
	for len(s.searchers) > s.cfg.MaxSnapshots {
		var oldest string
		var at time.Time
		first := true
		for k, l := range s.searchers {
			if first || l.used.Before(at) {
				oldest, at, first = k, l.used, false
			}
		}
		delete(s.searchers, oldest)
	}
}

// reload loads a newer snapshot in the background and installs it.
func (s *Server) reload(key string, cols []string) {
	e, _, err := s.load(context.Background(), key, cols)
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.searchers[key]
	if !ok {
		return // evicted meanwhile
	}
	if err != nil {
		// Keep answering with the snapshot we have; retry after ReloadEvery.
		l.reloading, l.at = false, time.Now()
		return
	}
	now := time.Now()
	s.searchers[key] = &loaded{e: e, at: now, used: l.used}
}

// load reads a snapshot, at most two at once.
func (s *Server) load(ctx context.Context, key string, cols []string) (*search.Searcher, int, error) {
	select {
	case s.loads <- struct{}{}:
		defer func() { <-s.loads }()
	case <-ctx.Done():
		return nil, http.StatusServiceUnavailable, ctx.Err()
	}
	e, err := search.Load(ctx, s.cfg.DB, cols...)
	switch {
	case errors.Is(err, index.ErrNoModel):
		return nil, http.StatusConflict, errEmpty
	case errors.Is(err, index.ErrNotFound):
		return nil, http.StatusNotFound, err
	case err != nil:
		return nil, http.StatusInternalServerError, err
	}
	if e.Len() == 0 {
		if key == "" {
			return nil, http.StatusConflict, errEmpty
		}
		return nil, http.StatusConflict, fmt.Errorf("collection %s has no records yet", key)
	}
	return e, 0, nil
}

// cachedSnapshots is the number of snapshots held (for tests).
func (s *Server) cachedSnapshots() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.searchers)
}
