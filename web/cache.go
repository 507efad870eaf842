package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/search"
)

// searcher returns the live search snapshot of the named collections
// (search.Live: loaded once per filter, reloaded in the background when
// the index changes) and the HTTP status of an error.
func (s *Server) searcher(ctx context.Context, collection string) (*search.Searcher, int, error) {
	e, err := s.live.Searcher(ctx, collection)
	switch {
	case err == nil:
		return e, 0, nil
	case errors.Is(err, index.ErrNoModel):
		return nil, http.StatusConflict, errEmpty
	case errors.Is(err, search.ErrEmpty):
		if key, _ := search.FilterKey(collection); key == "" {
			return nil, http.StatusConflict, errEmpty
		}
		return nil, http.StatusConflict, err
	case errors.Is(err, index.ErrNotFound):
		return nil, http.StatusNotFound, err
	case ctx.Err() != nil:
		return nil, http.StatusServiceUnavailable, err
	}
	return nil, http.StatusInternalServerError, err
}

// cachedSnapshots is the number of snapshots held (for tests).
func (s *Server) cachedSnapshots() int { return s.live.Held() }
