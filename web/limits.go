package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/lsconf/lsconf/index"
)

// Resource limits of a Server unless Config says otherwise (docs/search.md).
const (
	// DefaultMaxBody bounds the body of every route but the image upload.
	DefaultMaxBody = 64 << 10
	// DefaultMaxQueryBytes bounds the text of a word query.
	DefaultMaxQueryBytes = 4 << 10
	// DefaultMaxSnapshots bounds the cached search snapshots (one per
	// distinct collection filter, least recently used evicted first).
	DefaultMaxSnapshots = 8
	// DefaultDecodeBudget bounds the memory of the uploads being decoded
	// at once, counted from their headers before decoding (the CLI
	// loader's rule: data.DefaultDecodeBudget).
	DefaultDecodeBudget = 512 << 20
	// DefaultUploadBudget bounds the bytes of the uploads held in memory
	// at once (read, waiting for or under decoding).
	DefaultUploadBudget = 256 << 20
	// DefaultReadHeaderTimeout, DefaultReadTimeout, DefaultWriteTimeout and
	// DefaultIdleTimeout are the timeouts of NewHTTPServer.
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 60 * time.Second
	DefaultWriteTimeout      = 120 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	// maxErrorBytes bounds the message of an error answer.
	maxErrorBytes = 512
)

// NewHTTPServer is the http.Server lsconf serve runs h with: slow headers
// and slow bodies time out (readTimeout 0 = DefaultReadTimeout), so that a
// client cannot hold a connection and a goroutine forever.
func NewHTTPServer(h http.Handler, readTimeout time.Duration) *http.Server {
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(DefaultReadHeaderTimeout, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      max(DefaultWriteTimeout, readTimeout),
		IdleTimeout:       DefaultIdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// hostAllowed reports whether a request's Host may be served: an IP
// literal (a DNS-rebinding page cannot send one: its origin is a name),
// "localhost" or a name below ".localhost", or one of the allowed names.
func (s *Server) hostAllowed(hostport string) bool {
	h := hostport
	if hh, _, err := net.SplitHostPort(hostport); err == nil {
		h = hh
	}
	h = strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
	if h == "" {
		return false
	}
	if net.ParseIP(h) != nil || h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	for _, a := range s.cfg.AllowHosts {
		if strings.EqualFold(strings.TrimSuffix(a, "."), h) {
			return true
		}
	}
	return false
}

// guard applies the limits every request shares before it is routed: the
// Host check, the body limit of its route, and the parsing of form bodies
// within that limit (multipart files are kept in memory up to the limit,
// never spooled to disk beyond it); the image upload reads its own body,
// part by part.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	if !s.hostAllowed(r.Host) {
		fail(w, http.StatusMisdirectedRequest, fmt.Errorf("host %q is not served: the server answers loopback names, IP addresses and the host names it was told to allow", clip(r.Host, 100)))
		return false
	}
	limit := s.cfg.MaxBody
	if r.URL.Path == "/api/search/image" {
		limit = s.cfg.MaxUpload + 64<<10
	}
	if r.ContentLength > limit {
		fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("request body of %d bytes over the limit of %d bytes", r.ContentLength, limit))
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if r.Method != http.MethodPost && r.Method != http.MethodPut && r.Method != http.MethodPatch {
		return true
	}
	if r.URL.Path == "/api/search/image" {
		// The upload streams its body (readUpload); its parameters are in
		// the URL's query, parsed here so that FormValue reads no body.
		if err := r.ParseForm(); err != nil {
			fail(w, http.StatusBadRequest, fmt.Errorf("bad query: %v", err))
			return false
		}
		return true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	switch ct {
	case "multipart/form-data":
		err = r.ParseMultipartForm(limit)
	case "application/x-www-form-urlencoded":
		err = r.ParseForm()
	default:
		return true
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		what := "request body"
		if limit != s.cfg.MaxBody {
			what = "upload"
		}
		fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("%s over the limit of %d bytes", what, limit))
		return false
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		fail(w, http.StatusBadRequest, fmt.Errorf("bad form body: %v", err))
		return false
	}
	return true
}

// clip shortens s to at most n bytes (marking the cut), so that answers
// never echo a huge input.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d bytes)", len(s))
}

// decode decodes an upload within the decode budget
// (index.DecodeImageWithin, the rule the CLI loader follows too): its
// decoded size is read from its header first; it waits while other
// decodes hold the budget, and an image larger than the whole budget is
// refused (index.ErrOverBudget). Large JPEGs decode at 1/8 of their size.
func (s *Server) decode(ctx context.Context, b []byte) ([]float32, error) {
	return index.DecodeImageWithin(ctx, b, s.decodes)
}

// decodeSlots is the default number of uploads decoded at once.
func decodeSlots() int { return max(1, runtime.GOMAXPROCS(0)) }

// withLimits fills the zero limits with their defaults.
func (c Config) withLimits() Config {
	if c.MaxBody <= 0 {
		c.MaxBody = DefaultMaxBody
	}
	if c.MaxQueryBytes <= 0 {
		c.MaxQueryBytes = DefaultMaxQueryBytes
	}
	if c.MaxSnapshots <= 0 {
		c.MaxSnapshots = DefaultMaxSnapshots
	}
	if c.DecodeBudget <= 0 {
		c.DecodeBudget = DefaultDecodeBudget
	}
	if c.UploadBudget <= 0 {
		c.UploadBudget = DefaultUploadBudget
	}
	c.UploadBudget = max(c.UploadBudget, c.MaxUpload+1)
	if c.DecodeSlots <= 0 {
		c.DecodeSlots = decodeSlots()
	}
	if c.MaxEncodeBatch <= 0 {
		c.MaxEncodeBatch = DefaultMaxEncodeBatch
	}
	return c
}
