package index

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/gif" // registers GIF decoding
	_ "image/jpeg"
	_ "image/png"
	"math"
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
// of float32 values in [0, 1] (row-major), with the steps of package data's
// ImageFolder loader so that indexed and query images match what the model
// was trained on: RGB over black, area-averaged to a 64x64 base image
// quantised to 8 bits, then each output pixel the luma (0.299 R + 0.587 G
// + 0.114 B) of the mean of its 2x2 block.
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
	return grayHalf(toBase(img)), nil
}

// baseSize is the side of data's base images (data.BaseSize).
const baseSize = 2 * Side

// toBase is data's toBase without crop: RGB over black, area-averaged to
// baseSize x baseSize, 8 bits per channel.
func toBase(img image.Image) []uint8 {
	bd := img.Bounds()
	rgba := image.NewRGBA(image.Rect(0, 0, bd.Dx(), bd.Dy()))
	draw.Draw(rgba, rgba.Bounds(), img, bd.Min, draw.Src)
	w, h := bd.Dx(), bd.Dy()
	tx := areaWeights(w, baseSize)
	ty := areaWeights(h, baseSize)
	tmp := make([]float32, h*baseSize*3)
	for y := 0; y < h; y++ {
		row := rgba.Pix[y*rgba.Stride:]
		for ox, ts := range tx {
			var r, g, b float32
			for _, t := range ts {
				r += t.w * float32(row[4*t.i])
				g += t.w * float32(row[4*t.i+1])
				b += t.w * float32(row[4*t.i+2])
			}
			o := (y*baseSize + ox) * 3
			tmp[o], tmp[o+1], tmp[o+2] = r/255, g/255, b/255
		}
	}
	out := make([]uint8, baseSize*baseSize*3)
	for oy, ts := range ty {
		for x := 0; x < baseSize*3; x++ {
			var s float32
			for _, t := range ts {
				s += t.w * tmp[t.i*baseSize*3+x]
			}
			out[oy*baseSize*3+x] = uint8(min(max(math.Round(float64(s)*255), 0), 255))
		}
	}
	return out
}

// grayHalf is data's Base.Image: the luma of the mean of each 2x2 block.
func grayHalf(p []uint8) []float32 {
	const row = baseSize * 3
	dst := make([]float32, Pixels)
	for y := 0; y < Side; y++ {
		for x := 0; x < Side; x++ {
			o := 2*y*row + 2*x*3
			r := int(p[o]) + int(p[o+3]) + int(p[o+row]) + int(p[o+row+3])
			g := int(p[o+1]) + int(p[o+4]) + int(p[o+row+1]) + int(p[o+row+4])
			bl := int(p[o+2]) + int(p[o+5]) + int(p[o+row+2]) + int(p[o+row+5])
			v := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / (4 * 255)
			dst[y*Side+x] = float32(min(max(v, 0), 1))
		}
	}
	return dst
}

type tap struct {
	i int
	w float32
}

// areaWeights returns, for each of n output cells, the source indices and
// weights (summing to 1) of the source interval it covers (data's
// areaTaps).
func areaWeights(src, n int) [][]tap {
	out := make([][]tap, n)
	scale := float64(src) / float64(n)
	for o := range out {
		lo, hi := float64(o)*scale, float64(o+1)*scale
		for i := int(lo); i < src && float64(i) < hi; i++ {
			a := max(lo, float64(i))
			b := min(hi, float64(i+1))
			if b > a {
				out[o] = append(out[o], tap{i, float32((b - a) / scale)})
			}
		}
	}
	return out
}
