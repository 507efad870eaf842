package web

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"net/http"

	"github.com/lsconf/lsconf/search"
)

// Decoder turns LS points into images: a run trained with a decoder
// (train.Run) satisfies it.
type Decoder interface {
	// Decode maps n points (n*n_d values) to n images of 32x32 pixels in
	// [0, 1].
	Decode(z []float32, n int) ([]float32, error)
}

// decodeSide is the side of the images /api/decode returns: the decoded
// 32x32 image enlarged 3x (nearest neighbour).
const decodeSide = 96

// decodePoint is GET /api/decode?z=x,y[,...]: the decoder's image of an LS
// point as a PNG (404 when the server has no decoder).
func (s *Server) decodePoint(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Decoder == nil {
		fail(w, http.StatusNotFound, errors.New("no decoder: the served run was trained without a reconstruction weight, or no run is served"))
		return
	}
	e, status, err := s.searcher(r.Context(), "")
	if err != nil {
		fail(w, status, err)
		return
	}
	z, err := search.ParsePoint(r.FormValue("z"), e.Layout().ND())
	if err != nil {
		fail(w, http.StatusBadRequest, err)
		return
	}
	zf := make([]float32, len(z))
	for i, v := range z {
		zf[i] = float32(v)
	}
	px, err := s.cfg.Decoder.Decode(zf, 1)
	if err != nil {
		fail(w, http.StatusInternalServerError, fmt.Errorf("decode: %w", err))
		return
	}
	if len(px) != 32*32 {
		fail(w, http.StatusInternalServerError, fmt.Errorf("decode: %d pixels, want %d", len(px), 32*32))
		return
	}
	img := image.NewGray(image.Rect(0, 0, decodeSide, decodeSide))
	const k = decodeSide / 32
	for y := 0; y < decodeSide; y++ {
		for x := 0; x < decodeSide; x++ {
			v := float64(px[(y/k)*32+x/k])
			if math.IsNaN(v) {
				v = 0
			}
			img.Pix[y*img.Stride+x] = uint8(math.Round(255 * min(max(v, 0), 1)))
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		fail(w, http.StatusInternalServerError, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
