package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/search"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.Encode(v)
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
		"empty": total == 0, "model_id": id.ModelID, "encoder": id.Encoder, "layout": id.Layout,
		"classes": id.Classes, "collections": cols, "records": total, "generation": gen,
		"image_search": s.cfg.Model != nil, "decoder": s.cfg.Decoder != nil, "max_upload": s.cfg.MaxUpload, "max_k": s.cfg.MaxK,
	}
	if total == 0 {
		out["message"] = errEmpty.Error()
	}
	if v, err := search.NewVocab(id.Layout, id.Classes, s.cfg.Vocab...); err == nil {
		out["known_words"] = v.Known()
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

// point is one record in the scatter.
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
	for i := 0; i < n; i += step {
		en := e.Entry(i)
		pts = append(pts, point{ID: en.ID, Z: en.Z[:min(len(en.Z), 2)], Label: en.Label, Collection: en.Collection})
	}
	writeJSON(w, http.StatusOK, map[string]any{"total": n, "shown": len(pts), "points": pts})
}

// searchResponse is the JSON of every search route.
type searchResponse struct {
	Query    search.Query    `json:"query"`
	K        int             `json:"k"`
	Searched int             `json:"searched"`
	Millis   float64         `json:"ms"`
	Results  []search.Result `json:"results"`
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

func (s *Server) run(w http.ResponseWriter, e *search.Searcher, q search.Query, k int) {
	start := time.Now()
	q = search.MarkOutside(q)
	res, err := e.Search(q, k)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	writeJSON(w, http.StatusOK, searchResponse{Query: q, K: k, Searched: e.Len(), Millis: float64(time.Since(start).Microseconds()) / 1000, Results: res})
}

// searchImage is POST /api/search/image (multipart field "image").
func (s *Server) searchImage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Model == nil {
		fail(w, http.StatusServiceUnavailable, errors.New("image queries need the model: start the server with --run RUN"))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload+64<<10)
	f, _, err := r.FormFile("image")
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("upload over the limit of %d bytes", s.cfg.MaxUpload))
			return
		}
		fail(w, http.StatusBadRequest, fmt.Errorf("want a multipart form with an \"image\" file: %v", err))
		return
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxUpload+1))
	if err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("read upload: %v", err))
		return
	}
	if int64(len(b)) > s.cfg.MaxUpload {
		fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("upload over the limit of %d bytes", s.cfg.MaxUpload))
		return
	}
	k, err := s.k(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	px, err := s.decode(r.Context(), b)
	if errors.Is(err, errBudget) {
		fail(w, http.StatusRequestEntityTooLarge, err)
		return
	}
	if err != nil {
		fail(w, http.StatusUnsupportedMediaType, fmt.Errorf("the upload is not a usable image: %v", err))
		return
	}
	e, status, err := s.searcher(r.Context(), r.FormValue("collection"))
	if err != nil {
		fail(w, status, err)
		return
	}
	q, err := e.ImageQuery(batchedModel{Model: s.cfg.Model, b: s.enc, ctx: r.Context()}, px)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	s.run(w, e, q, k)
}

// searchText is GET or POST /api/search/text?q=words&random=1&seed=N.
func (s *Server) searchText(w http.ResponseWriter, r *http.Request) {
	k, err := s.k(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	text := r.FormValue("q")
	if len(text) > s.cfg.MaxQueryBytes {
		fail(w, http.StatusRequestEntityTooLarge, fmt.Errorf("query of %d bytes over the limit of %d bytes", len(text), s.cfg.MaxQueryBytes))
		return
	}
	random := r.FormValue("random") == "1" || r.FormValue("random") == "true"
	var seed uint64
	if sv := r.FormValue("seed"); sv != "" {
		if seed, err = strconv.ParseUint(sv, 10, 64); err != nil {
			fail(w, http.StatusBadRequest, fmt.Errorf("seed %q: want a non-negative integer", sv))
			return
		}
	}
	e, status, err := s.searcher(r.Context(), r.FormValue("collection"))
	if err != nil {
		fail(w, status, err)
		return
	}
	voc, err := s.vocabulary(e)
	if err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	q, err := e.TextQuery(voc, text, random, seed)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": clip(err.Error(), maxErrorBytes), "known_words": voc.Known()})
		return
	}
	s.run(w, e, q, k)
}

// searchPoint is GET /api/search/point?z=x,y.
func (s *Server) searchPoint(w http.ResponseWriter, r *http.Request) {
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
	q, err := e.Query(r.Context(), search.Spec{Point: r.FormValue("z")})
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	s.run(w, e, q, k)
}

// searchRecord is GET /api/search/record?id=N: an indexed image as the
// query (excluded from its own results).
func (s *Server) searchRecord(w http.ResponseWriter, r *http.Request) {
	k, err := s.k(r)
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	id, err := strconv.ParseInt(r.FormValue("id"), 10, 64)
	if err != nil {
		fail(w, http.StatusBadRequest, fmt.Errorf("id %q: want a record id", r.FormValue("id")))
		return
	}
	e, status, err := s.searcher(r.Context(), r.FormValue("collection"))
	if err != nil {
		fail(w, status, err)
		return
	}
	q, err := e.RecordQuery(r.Context(), id)
	if err != nil {
		fail(w, statusOf(err), err)
		return
	}
	s.run(w, e, q, k)
}

// image is GET /api/image/{id}: the image of a record, from the index's
// own records only.
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
	b, ct, err := rec.Image()
	if err != nil {
		fail(w, http.StatusNotFound, err)
		return
	}
	if !strings.HasPrefix(ct, "image/") {
		fail(w, http.StatusNotFound, fmt.Errorf("record %d: its file is no longer an image", id))
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=60")
	w.Write(b)
}

func statusOf(err error) int {
	if errors.Is(err, index.ErrNotFound) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}
