package index

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers GIF decoding
	_ "image/jpeg"
	_ "image/png"
	"path/filepath"
	"strings"
)

// Side is the side of the model's input images (data.Size).
const Side = 32

// Pixels is the number of values of one model input (data.Pixels).
const Pixels = Side * Side

// MaxImagePixels bounds the decoded size of an image (width*height) so that
// a small file claiming a huge size cannot exhaust memory.
const MaxImagePixels = 50_000_000

// ErrNotImage is returned (wrapped) for bytes that are not a PNG, JPEG or
// GIF image.
var ErrNotImage = errors.New("not a PNG, JPEG or GIF image")

// IsImageName reports whether a file name has an image extension lsconf
// indexes (.png, .jpg, .jpeg, .gif, any case).
func IsImageName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".png", ".jpg", ".jpeg", ".gif":
		return true
	}
	return false
}

// DecodeImage decodes PNG, JPEG or GIF bytes into a Side x Side gray image
// of float32 values in [0, 1] (row-major): luma Y = 0.299 R + 0.587 G +
// 0.114 B, then an area-averaging resize (each output pixel is the mean of
// the source area it covers; upscaling repeats pixels).
func DecodeImage(b []byte) ([]float32, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode image: %w (%v)", ErrNotImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, fmt.Errorf("decode image: size %dx%d out of range (at most %d pixels)", cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decode image: %w (%v)", ErrNotImage, err)
	}
	return grayResize(img), nil
}

// grayResize converts img to luma and area-averages it to Side x Side.
func grayResize(img image.Image) []float32 {
	r := img.Bounds()
	w, h := r.Dx(), r.Dy()
	gray := make([]float64, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			cr, cg, cb, _ := img.At(r.Min.X+x, r.Min.Y+y).RGBA()
			gray[y*w+x] = (0.299*float64(cr) + 0.587*float64(cg) + 0.114*float64(cb)) / 65535
		}
	}
	wx := areaWeights(w, Side)
	wy := areaWeights(h, Side)
	// Resize rows first (h x Side), then columns.
	tmp := make([]float64, h*Side)
	for y := 0; y < h; y++ {
		for ox, ws := range wx {
			s := 0.0
			for _, t := range ws {
				s += t.w * gray[y*w+t.i]
			}
			tmp[y*Side+ox] = s
		}
	}
	out := make([]float32, Pixels)
	for oy, ws := range wy {
		for ox := 0; ox < Side; ox++ {
			s := 0.0
			for _, t := range ws {
				s += t.w * tmp[t.i*Side+ox]
			}
			out[oy*Side+ox] = float32(min(max(s, 0), 1))
		}
	}
	return out
}

type tap struct {
	i int
	w float64
}

// areaWeights returns, for each of n output cells, the source indices and
// weights (summing to 1) of the source interval it covers.
func areaWeights(src, n int) [][]tap {
	out := make([][]tap, n)
	scale := float64(src) / float64(n)
	for o := range out {
		lo, hi := float64(o)*scale, float64(o+1)*scale
		for i := int(lo); i < src && float64(i) < hi; i++ {
			a := max(lo, float64(i))
			b := min(hi, float64(i+1))
			if b > a {
				out[o] = append(out[o], tap{i, (b - a) / scale})
			}
		}
	}
	return out
}
