package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/search"
)

//go:embed assets
var assets embed.FS

// Config configures a Server.
type Config struct {
	// DB is the index to serve (required).
	DB *index.DB
	// Model encodes uploaded query images; nil disables image queries.
	Model index.Model
	// Vocab are extra vocabulary file texts (see search.NewVocab).
	Vocab []string
	// MaxUpload is the largest accepted upload in bytes (0 = 8 MiB).
	MaxUpload int64
	// MaxK is the largest k a request may ask for (0 = 100).
	MaxK int
	// MaxPoints is the most records /api/points returns (0 = 5000).
	MaxPoints int
	// ReloadEvery is the least time between two (background) reloads of a
	// search snapshot while the index keeps changing (0 = 2 s).
	ReloadEvery time.Duration
}

// Server is the HTTP handler of the search page and API.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	mu      sync.Mutex // guards engines, vocab
	engines map[string]*loaded
	vocab   *search.Vocab
	encMu   sync.Mutex // the model encodes one request at a time
}

// New makes a Server. When a model is given it must be the one that built
// the index (unless the index is still empty).
func New(cfg Config) (*Server, error) {
	if cfg.DB == nil {
		return nil, errors.New("web: no index database")
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 8 << 20
	}
	if cfg.MaxK <= 0 {
		cfg.MaxK = 100
	}
	if cfg.MaxPoints <= 0 {
		cfg.MaxPoints = 5000
	}
	if cfg.ReloadEvery <= 0 {
		cfg.ReloadEvery = 2 * time.Second
	}
	if cfg.Model != nil {
		if err := cfg.DB.CheckModel(context.Background(), cfg.Model); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), engines: map[string]*loaded{}}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, fmt.Errorf("web: assets: %w", err)
	}
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.page)
	s.mux.HandleFunc("GET /api/info", s.info)
	s.mux.HandleFunc("GET /api/collections", s.collections)
	s.mux.HandleFunc("GET /api/points", s.points)
	s.mux.HandleFunc("POST /api/search/image", s.searchImage)
	s.mux.HandleFunc("GET /api/search/text", s.searchText)
	s.mux.HandleFunc("POST /api/search/text", s.searchText)
	s.mux.HandleFunc("GET /api/search/point", s.searchPoint)
	s.mux.HandleFunc("GET /api/search/record", s.searchRecord)
	s.mux.HandleFunc("GET /api/image/{id}", s.image)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, fmt.Errorf("no API route %s %s", r.Method, r.URL.Path))
	})
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	s.mux.ServeHTTP(w, r)
}

func (s *Server) page(w http.ResponseWriter, r *http.Request) {
	b, err := assets.ReadFile("assets/index.html")
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

// errEmpty is the message of an index with no records yet.
var errEmpty = errors.New("the index is empty: add images with \"lsconf index --run RUN --images DIR --db FILE\" first")

// loaded is a search snapshot, when it was loaded, and whether a newer
// one is being loaded in the background.
type loaded struct {
	e         *search.Searcher
	at        time.Time
	reloading bool
}

// engine returns the search snapshot of the named collections. The first
// request of a collection filter loads it; afterwards, when the index has
// changed and the snapshot is older than ReloadEvery, a newer one is loaded
// in the background while requests keep using the current one (a
// consistent committed state), so searches never wait for a reload.
func (s *Server) engine(ctx context.Context, collection string) (*search.Searcher, int, error) {
	var cols []string
	if collection != "" {
		cols = strings.Split(collection, ",")
		slices.Sort(cols)
	}
	key := strings.Join(cols, ",")
	gen, err := s.cfg.DB.Generation(ctx)
	if err != nil {
		return nil, http.StatusInternalServerError, err
	}
	s.mu.Lock()
	if l, ok := s.engines[key]; ok {
		if l.e.Generation() != gen && !l.reloading && time.Since(l.at) >= s.cfg.ReloadEvery {
			l.reloading = true
			go s.reload(key, cols)
		}
		s.mu.Unlock()
		return l.e, 0, nil
	}
	s.mu.Unlock()
	e, status, err := s.load(ctx, key, cols)
	if err != nil {
		return nil, status, err
	}
	s.mu.Lock()
	if l, ok := s.engines[key]; !ok || l.e.Generation() < e.Generation() {
		s.engines[key] = &loaded{e: e, at: time.Now()}
	}
	s.mu.Unlock()
	return e, 0, nil
}

// reload loads a newer snapshot in the background and installs it.
func (s *Server) reload(key string, cols []string) {
	e, _, err := s.load(context.Background(), key, cols)
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.engines[key]
	if err != nil {
		// Keep answering with the snapshot we have; retry after ReloadEvery.
		l.reloading, l.at = false, time.Now()
		return
	}
	s.engines[key] = &loaded{e: e, at: time.Now()}
}

func (s *Server) load(ctx context.Context, key string, cols []string) (*search.Searcher, int, error) {
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

// vocabulary returns the text vocabulary for the index's classes.
func (s *Server) vocabulary(e *search.Searcher) (*search.Vocab, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vocab == nil {
		v, err := search.NewVocab(e.Layout(), e.Identity().Classes, s.cfg.Vocab...)
		if err != nil {
			return nil, err
		}
		s.vocab = v
	}
	return s.vocab, nil
}
