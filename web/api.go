package web

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/search"
)

// writeJSON answers v as JSON with status; a value that cannot be
// written (a non-finite number) answers 500 with the reason instead of an
// empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b, _ = json.Marshal(map[string]string{"error": clip("write the answer: "+err.Error(), maxErrorBytes)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

func fail(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": clip(err.Error(), maxErrorBytes)})
}

// info is GET /api/info: the model, layout, classes, collections, counts.
func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := s.cfg.DB.Identity(ctx)
	if errors.Is(err, index.ErrNoModel) {
		writeJSON(w, http.StatusOK, map[string]any{"empty": true, "message": errEmpty.Error()})
		return
	}
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	cols, err := s.cfg.DB.Collections(ctx)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	total := 0
	for _, c := range cols {
		total += c.Count
	}
	gen, _ := s.cfg.DB.Generation(ctx)
	out := map[string]any{
		"empty": total == 0, "model_id": id.ModelID, "encoder": id.Encoder, "layout": id.Layout, "view": viewOf(id.Layout),
		"classes": id.Classes, "collections": cols, "records": total, "generation": gen,
		"image_search": s.cfg.Model != nil, "decoder": s.cfg.Decoder != nil, "max_upload": s.cfg.MaxUpload, "max_k": s.cfg.MaxK,
	}
	if total == 0 {
		out["message"] = errEmpty.Error()
	}
	if total > 0 {
		if e, _, err := s.searcher(ctx, ""); err == nil {
			if v, err := e.Vocab(); err == nil {
				out["known_words"], out["examples"] = v.Known(), v.Examples()
			}
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// collections is GET /api/collections.
func (s *Server) collections(w http.ResponseWriter, r *http.Request) {
	cols, err := s.cfg.DB.Collections(r.Context())
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	if cols == nil {
		cols = []index.Collection{}
	}
	writeJSON(w, http.StatusOK, cols)
}

// point is one record in the scatter; Z is its encoding projected onto
// the view plane (viewOf).
type point struct {
	ID         int64     `json:"id"`
	Z          []float32 `json:"z"`
	Label      string    `json:"label,omitempty"`
	Collection string    `json:"collection"`
}

// points is GET /api/points?collection=&limit=: LS points of the records
// (an even stride when there are more than the limit).
func (s *Server) points(w http.ResponseWriter, r *http.Request) {
	e, status, err := s.searcher(r.Context(), r.FormValue("collection"))
	if err != nil {
		fail(w, status, err)
		return
	}
	limit := s.cfg.MaxPoints
	if l := r.FormValue("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n <= 0 {
			fail(w, http.StatusBadRequest, fmt.Errorf("limit %q: want a positive integer", l))
			return
		}
		limit = min(n, limit)
	}
	n := e.Len()
	step := max(1, (n+limit-1)/limit)
	pts := make([]point, 0, n/step+1)
	plane := e.Layout().ViewPlane()
	z := make([]float64, e.ND())
	for i := 0; i < n; i += step {
		en := e.Entry(i)
		for k, x := range en.Z {
			z[k] = float64(x)
		}
		x, y := plane.Project(z)
		pts = append(pts, point{ID: en.ID, Z: []float32{float32(x), float32(y)}, Label: en.Label, Collection: en.Collection})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": n, "shown": len(pts), "points": pts, "projection": plane.Name})
}

// view is the plane the page draws the LS in (latent.Layout.ViewPlane):
// its axes, what it is, and the centres projected onto it.
type view struct {
	latent.Plane
	Centers [][2]float64 `json:"centers"`
}

func viewOf(l *latent.Layout) view {
	p := l.ViewPlane()
	v := view{Plane: p}
	for _, c := range l.Centers() {
		x, y := p.Project(c)
		v.Centers = append(v.Centers, [2]float64{x, y})
	}
	return v
}

// searchResponse is the JSON of every search route: search.Response
// and the time it took.
type searchResponse struct {
	*search.Response
	Millis float64 `json:"ms"`
}

func (s *Server) k(r *http.Request) (int, error) {
	ks := r.FormValue("k")
	if ks == "" {
		return 10, nil
	}
	k, err := strconv.Atoi(ks)
	if err != nil || k < 1 || k > s.cfg.MaxK {
		return 0, fmt.Errorf("k %q: want an integer from 1 to %d", ks, s.cfg.MaxK)
	}
	return k, nil
}

// run answers one query: Spec, the live searcher's Run, JSON.
func (s *Server) run(w http.ResponseWriter, r *http.Request, spec search.Spec) {
	k, err := s.k(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	e, status, err := s.searcher(r.Context(), r.FormValue("collection"))
	if err != nil {
		fail(w, status, err)
		return
	}
	if spec.Pixels != nil {
		spec.Model = batchedModel{Model: s.cfg.Model, b: s.enc, ctx: r.Context()}
	}
	start := time.Now()
	res, err := e.Run(r.Context(), spec, k)
	if err != nil {
		s.failQuery(w, e, spec, err)
		return
	}
	writeJSON(w, http.StatusOK, searchResponse{Response: res, Millis: float64(time.Since(start).Microseconds()) / 1000})
}

// failQuery answers a query Run refused: a text query with the known
// words, a missing record 404, an encoder failure 500, anything else 400.
func (s *Server) failQuery(w http.ResponseWriter, e *search.Searcher, spec search.Spec, err error) {
	switch {
	case spec.Text != "":
		out := map[string]any{"error": clip(err.Error(), maxErrorBytes)}
		if voc, verr := e.Vocab(); verr == nil {
			out["known_words"] = voc.Known()
		}
		writeJSON(w, http.StatusBadRequest, out)
	case spec.Record != 0:
		fail(w, statusOf(err), err)
	case spec.Pixels != nil:
		fail(w, http.StatusInternalServerError, err)
	default:
		fail(w, http.StatusBadRequest, err)
	}
}

// searchImage is POST /api/search/image (multipart field "image").
func (s *Server) searchImage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Model == nil {
		fail(w, http.StatusServiceUnavailable, errors.New("image queries need the model that built the index, and the server was started without it"))
		return
	}
	if _, err := s.k(r); err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	// The upload's bytes are held within the upload budget until decoded.
	n := s.cfg.MaxUpload + 1
	if r.ContentLength > 0 {
		n = min(n, r.ContentLength)
	}
	if err := s.uploads.Acquire(r.Context(), n); err != nil {
		fail(w, http.StatusServiceUnavailable, fmt.Errorf("upload not read: %v", err))
		return
	}
	px, status, err := s.readAndDecode(r, n)
	s.uploads.Release(n)
	if err != nil {
		fail(w, status, err)
		return
	}
	s.run(w, r, search.Spec{Pixels: px})
}

// readAndDecode reads an upload of at most n bytes (readUpload) and
// decodes it (decode), or returns the status and error to answer.
func (s *Server) readAndDecode(r *http.Request, n int64) ([]float32, int, error) {
	b, status, err := s.readUpload(r, n)
	if err != nil {
		return nil, status, err
	}
	px, err := s.decode(r.Context(), b)
	if errors.Is(err, index.ErrOverBudget) {
		return nil, http.StatusRequestEntityTooLarge, err
	}
	if err != nil {
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("the upload is not a usable image: %v", err)
	}
	return px, 0, nil
}

// uploadReadBuffer is the buffer an upload's body is read through.
const uploadReadBuffer = 64 << 10

// readUpload reads the "image" part of a multipart upload into one
// buffer of at most n bytes (the request's stated length, or MaxUpload+1):
// the body is streamed part by part (not parsed into a form and copied
// again), and an image over MaxUpload is refused (413) as soon as it is
// seen to be.
func (s *Server) readUpload(r *http.Request, n int64) ([]byte, int, error) {
	tooLarge := fmt.Errorf("upload over the limit of %d bytes", s.cfg.MaxUpload)
	bad := func(err error) (int, error) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return http.StatusRequestEntityTooLarge, tooLarge
		}
		return http.StatusBadRequest, fmt.Errorf("want a multipart form with an \"image\" file: %v", err)
	}
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		status, err := bad(fmt.Errorf("content type %q", clip(r.Header.Get("Content-Type"), 100)))
		return nil, status, err
	}
	// Large reads from the connection (the multipart reader's own buffer
	// is 4 KiB).
	mr := multipart.NewReader(bufio.NewReaderSize(r.Body, uploadReadBuffer), params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, http.StatusBadRequest, errors.New(`want a multipart form with an "image" file: it has none`)
		}
		if err != nil {
			status, err := bad(err)
			return nil, status, err
		}
		if p.FormName() != "image" {
			continue // NextPart skips what is left of it
		}
		size := n
		if r.ContentLength <= 0 {
			size = min(n, 256<<10) // grown as the body comes
		}
		b := make([]byte, 0, size)
		for {
			if len(b) == cap(b) {
				if int64(len(b)) >= n {
					return nil, http.StatusRequestEntityTooLarge, tooLarge
				}
				nb := make([]byte, len(b), min(2*int64(cap(b)), n))
				copy(nb, b)
				b = nb
			}
			k, err := p.Read(b[len(b):cap(b)])
			b = b[:len(b)+k]
			if err == io.EOF {
				break
			}
			if err != nil {
				status, err := bad(err)
				return nil, status, err
			}
		}
		if int64(len(b)) > s.cfg.MaxUpload {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return b, 0, nil
	}
}

// searchText is GET or POST /api/search/text?q=words&random=1&seed=N.
func (s *Server) searchText(w http.ResponseWriter, r *http.Request) {
	text := r.FormValue("q")
	if len(text) > s.cfg.MaxQueryBytes {
		fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("query of %d bytes over the limit of %d bytes", len(text), s.cfg.MaxQueryBytes))
		return
	}
	spec := search.Spec{Text: text, Random: r.FormValue("random") == "1" || r.FormValue("random") == "true"}
	if sv := r.FormValue("seed"); sv != "" {
		var err error
		if spec.Seed, err = strconv.ParseUint(sv, 10, 64); err != nil {
			fail(w, http.StatusBadRequest, fmt.Errorf("seed %q: want a non-negative integer", sv))
			return
		}
	}
	s.run(w, r, spec)
}

// searchPoint is GET /api/search/point?z=x,y.
func (s *Server) searchPoint(w http.ResponseWriter, r *http.Request) {
	s.run(w, r, search.Spec{Point: r.FormValue("z")})
}

// searchRecord is GET /api/search/record?id=N: an indexed image as the
// query (excluded from its own results).
func (s *Server) searchRecord(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.FormValue("id"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("id %q: want a record id", r.FormValue("id")))
		return
	}
	s.run(w, r, search.Spec{Record: id})
}

// image is GET /api/image/{id}: the image of a record, from the index's
// own records only, streamed (Record.OpenImage).
func (s *Server) image(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || strings.ContainsAny(raw, "/\\.") {
		fail(w, http.StatusBadRequest, fmt.Errorf("image %q: images are served by record id only", raw))
		return
	}
	rec, err := s.cfg.DB.Record(r.Context(), id)
	if err != nil {
		fail(w, statusOf(err), err)
		return
	}
	img, err := rec.OpenImage()
	if err != nil {
		fail(w, http.StatusNotFound, err)
		return
	}
	defer img.Close()
	if !strings.HasPrefix(img.ContentType, "image/") {
		fail(w, http.StatusNotFound, fmt.Errorf("record %d: its file is no longer an image", id))
		return
	}
	// Streamed from the file (ranges and conditional requests included):
	// concurrent requests of large files cost a copy buffer each.
	w.Header().Set("Content-Type", img.ContentType)
	w.Header().Set("Cache-Control", "private, max-age=60")
	http.ServeContent(w, r, "", img.ModTime, img)
}

func statusOf(err error) int {
	if errors.Is(err, index.ErrNotFound) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}
