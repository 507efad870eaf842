package data

import "math"

// An image in float32 is a row-major slice of w*h*ch values; the helpers
// below resize and blur such images. Resizing is separable: rows, then
// columns, each with precomputed taps.

// tap is one source sample of an output sample and its weight.
type tap struct {
	i int
	w float32
}

// areaTaps returns, for each of n output cells, the source cells it covers
// and the covered fractions (summing to 1). Downscaling averages the source
// area; upscaling repeats source cells (mixing two at a boundary).
func areaTaps(src, n int) [][]tap {
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

// bilinearTaps returns the taps of a centre-aligned linear interpolation
// from src to n cells (edges clamp), for upscaling.
func bilinearTaps(src, n int) [][]tap {
	out := make([][]tap, n)
	scale := float64(src) / float64(n)
	for o := range out {
		x := (float64(o)+0.5)*scale - 0.5
		x0 := math.Floor(x)
		f := x - x0
		i0 := clampInt(int(x0), 0, src-1)
		i1 := clampInt(int(x0)+1, 0, src-1)
		if i0 == i1 || f == 0 {
			out[o] = []tap{{i0, 1}}
			continue
		}
		out[o] = []tap{{i0, float32(1 - f)}, {i1, float32(f)}}
	}
	return out
}

func clampInt(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// resample resizes a w x h x ch image to dw x dh with the given taps
// (tx: dw entries over w, ty: dh entries over h).
func resample(src []float32, w, h, ch, dw, dh int, tx, ty [][]tap) []float32 {
	tmp := make([]float32, h*dw*ch)
	for y := 0; y < h; y++ {
		row := src[y*w*ch : (y+1)*w*ch]
		for ox, ts := range tx {
			for c := 0; c < ch; c++ {
				var s float32
				for _, t := range ts {
					s += t.w * row[t.i*ch+c]
				}
				tmp[(y*dw+ox)*ch+c] = s
			}
		}
	}
	out := make([]float32, dw*dh*ch)
	for oy, ts := range ty {
		for x := 0; x < dw*ch; x++ {
			var s float32
			for _, t := range ts {
				s += t.w * tmp[t.i*dw*ch+x]
			}
			out[oy*dw*ch+x] = s
		}
	}
	return out
}

// resizeArea resizes with area averaging (see areaTaps).
func resizeArea(src []float32, w, h, ch, dw, dh int) []float32 {
	return resample(src, w, h, ch, dw, dh, areaTaps(w, dw), areaTaps(h, dh))
}

// resizeBilinear resizes with linear interpolation (for upscaling).
func resizeBilinear(src []float32, w, h, ch, dw, dh int) []float32 {
	return resample(src, w, h, ch, dw, dh, bilinearTaps(w, dw), bilinearTaps(h, dh))
}

// gaussTaps returns a normalised Gaussian kernel of standard deviation
// sigma (radius 3 sigma).
func gaussKernel(sigma float64) []float32 {
	r := int(math.Ceil(3 * sigma))
	if r < 1 {
		r = 1
	}
	k := make([]float32, 2*r+1)
	var s float64
	for i := -r; i <= r; i++ {
		v := exp(-float64(i*i) / (2 * sigma * sigma))
		k[i+r] = float32(v)
		s += v
	}
	for i := range k {
		k[i] = float32(float64(k[i]) / s)
	}
	return k
}

// reflect maps an index outside [0, n) back inside by mirror reflection
// (edge pixel repeated: ... 1 0 | 0 1 2 ... n-1 | n-1 n-2 ...).
func reflect(i, n int) int {
	if n == 1 {
		return 0
	}
	p := 2 * n
	i %= p
	if i < 0 {
		i += p
	}
	if i >= n {
		i = p - 1 - i
	}
	return i
}

// blur applies a separable Gaussian blur of standard deviation sigma
// (pixels) in place, with mirrored borders. sigma <= 0.05 does nothing.
func blur(img []float32, w, h, ch int, sigma float64) {
	if sigma <= 0.05 {
		return
	}
	k := gaussKernel(sigma)
	r := len(k) / 2
	tmp := make([]float32, len(img))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < ch; c++ {
				var s float32
				for j, kv := range k {
					s += kv * img[(y*w+reflect(x+j-r, w))*ch+c]
				}
				tmp[(y*w+x)*ch+c] = s
			}
		}
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			for c := 0; c < ch; c++ {
				var s float32
				for j, kv := range k {
					s += kv * tmp[(reflect(y+j-r, h)*w+x)*ch+c]
				}
				img[(y*w+x)*ch+c] = s
			}
		}
	}
}

// toBytes quantises a float image in [0, 1] to 8 bits (rounding, clamped).
func toBytes(img []float32) []uint8 {
	b := make([]uint8, len(img))
	for i, v := range img {
		b[i] = uint8(min(max(math.Round(float64(v)*255), 0), 255))
	}
	return b
}
