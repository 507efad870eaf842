package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
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
	// Decoder decodes LS points into images (GET /api/decode, shown when
	// the page's scatter is clicked); nil turns that off.
	Decoder Decoder
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
	// AllowHosts are host names served besides IP addresses and
	// localhost (the DNS-rebinding guard; see hostAllowed).
	AllowHosts []string
	// MaxBody bounds the body of every route but the image upload
	// (0 = DefaultMaxBody).
	MaxBody int64
	// MaxQueryBytes bounds a word query (0 = DefaultMaxQueryBytes).
	MaxQueryBytes int
	// MaxSnapshots bounds the cached search snapshots, one per distinct
	// collection filter (0 = DefaultMaxSnapshots).
	MaxSnapshots int
	// DecodeBudget bounds the decoded bytes of the uploads decoded at once
	// (0 = DefaultDecodeBudget); DecodeSlots bounds their number
	// (0 = GOMAXPROCS).
	DecodeBudget int64
	DecodeSlots  int
	// UploadBudget bounds the bytes of the uploads held in memory at once,
	// counted from their stated length (or MaxUpload) before they are read
	// (0 = DefaultUploadBudget; at least one MaxUpload); later uploads wait
	// in arrival order.
	UploadBudget int64
	// MaxEncodeBatch bounds how many queued image queries are encoded in
	// one call (0 = DefaultMaxEncodeBatch).
	MaxEncodeBatch int
}

// Server is the HTTP handler of the search page and API.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	live    *search.Live
	decodes *index.DecodeBudget
	uploads *index.DecodeBudget
	enc     *batcher
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
	cfg = cfg.withLimits()
	if cfg.Model != nil {
		if err := cfg.DB.CheckModel(context.Background(), cfg.Model); err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), decodes: index.NewDecodeBudget(cfg.DecodeBudget, cfg.DecodeSlots),
		uploads: index.NewDecodeBudget(cfg.UploadBudget, 0),
		live:    search.NewLive(cfg.DB, search.LiveOptions{Vocab: cfg.Vocab, ReloadEvery: cfg.ReloadEvery, MaxSnapshots: cfg.MaxSnapshots})}
	if cfg.Model != nil {
		s.enc = newBatcher(cfg.Model, cfg.MaxEncodeBatch)
	}
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
	s.mux.HandleFunc("GET /api/decode", s.decodePoint)
	s.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, fmt.Errorf("no API route %s %s", r.Method, r.URL.Path))
	})
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !s.guard(w, r) {
		return
	}
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
var errEmpty = errors.New("the index is empty: index images into it first (lsconf index)")
