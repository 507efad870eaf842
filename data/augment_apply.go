package data

import (
	"fmt"
)

// Apply writes into dst (Pixels values) copy cp (CopyPlain, CopyHFlip or
// CopyVFlip) of the augmentation p of the base image src (BasePix bytes).
// The base image is area-averaged to Size x Size colour; colour jitter and
// grayscale are applied to it, then the geometry (bilinear sampling at
// each output pixel), the erase, and the mirror flip of the copy. Jitter
// and grayscale act pixel by pixel, so doing them before the geometry
// rather than after (torchvision's order) gives the same image up to
// interpolation, at a third of the cost; the contrast factor's image mean
// is taken before the geometry. With augmentation off, Apply writes the
// unaugmented image.
func (a *Augmenter) Apply(src []uint8, p *AugParams, cp int, dst []float32) error {
	if len(src) != BasePix || len(dst) < Pixels {
		return fmt.Errorf("augment: source %d bytes (want %d), destination %d values (want %d)", len(src), BasePix, len(dst), Pixels)
	}
	if a.cfg.Off {
		grayHalf(src, dst)
		return nil
	}
	if cp < CopyPlain || cp > CopyVFlip {
		return fmt.Errorf("augment: copy %d", cp)
	}
	sp := a.pool.Get().(*[]float32)
	defer a.pool.Put(sp)
	col := *sp
	halfRGB(src, col)
	jitter(col, p)
	var flat, gray [Pixels]float32
	for i := range flat {
		flat[i] = clamp01(lumaR*col[3*i] + lumaG*col[3*i+1] + lumaB*col[3*i+2])
	}
	warp(flat[:], geometry(p), a.cfg.Border == "reflect", gray[:])
	if p.Erase {
		erase(gray[:], p, a.cfg.EraseFill)
	}
	mirrorCopy(gray[:], cp, dst)
	return nil
}

// mirrorCopy writes copy cp (CopyPlain, CopyHFlip or CopyVFlip) of the
// Size x Size image gray into dst.
func mirrorCopy(gray []float32, cp int, dst []float32) {
	switch cp {
	case CopyPlain:
		copy(dst, gray[:Pixels])
	case CopyHFlip:
		for y := 0; y < Size; y++ {
			for x := 0; x < Size; x++ {
				dst[y*Size+x] = gray[y*Size+Size-1-x]
			}
		}
	case CopyVFlip:
		for y := 0; y < Size; y++ {
			copy(dst[y*Size:(y+1)*Size], gray[(Size-1-y)*Size:(Size-y)*Size])
		}
	}
}

// halfRGB area-averages a base image to Size x Size RGB in [0, 1] (2x2
// boxes).
func halfRGB(src []uint8, half []float32) {
	const row = BaseSize * 3
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			o := 2*y*row + 2*x*3
			d := (y*Size + x) * 3
			for c := 0; c < 3; c++ {
				half[d+c] = float32(int(src[o+c])+int(src[o+3+c])+int(src[o+row+c])+int(src[o+row+3+c])) / (4 * 255)
			}
		}
	}
}

// warp samples the gray image g through the homography h (centred output
// pixels -> centred source, output pixel units) into out, bilinearly at
// each output pixel centre.
func warp(g []float32, h [9]float64, reflectBorder bool, out []float32) {
	const n = Size
	g = g[:Pixels]
	out = out[:Pixels]
	for y := 0; y < n; y++ {
		qy := float64(y) + 0.5 - n/2
		qx := 0.5 - float64(n)/2
		// numerators and denominator, stepped along the row
		X := h[0]*qx + h[1]*qy + h[2]
		Y := h[3]*qx + h[4]*qy + h[5]
		W := h[6]*qx + h[7]*qy + h[8]
		for x := 0; x < n; x++ {
			px, py := X/W+n/2-0.5, Y/W+n/2-0.5 // source pixel coordinates
			X += h[0]
			Y += h[3]
			W += h[6]
			// floor for |p| < 2^30 (int conversion truncates towards 0)
			x0, y0 := int(px+(1<<30))-(1<<30), int(py+(1<<30))-(1<<30)
			fx, fy := float32(px-float64(x0)), float32(py-float64(y0))
			if x0 >= 0 && y0 >= 0 && x0 < n-1 && y0 < n-1 {
				o := y0*n + x0
				a := g[o] + fx*(g[o+1]-g[o])
				b := g[o+n] + fx*(g[o+n+1]-g[o+n])
				out[y*n+x] = a + fy*(b-a)
				continue
			}
			var acc float32
			taps := [4]struct {
				x, y int
				w    float32
			}{{x0, y0, (1 - fx) * (1 - fy)}, {x0 + 1, y0, fx * (1 - fy)}, {x0, y0 + 1, (1 - fx) * fy}, {x0 + 1, y0 + 1, fx * fy}}
			for _, t := range taps {
				tx, ty := t.x, t.y
				if reflectBorder {
					tx, ty = reflect(tx, n), reflect(ty, n)
				} else if tx < 0 || ty < 0 || tx >= n || ty >= n {
					continue
				}
				acc += t.w * g[ty*n+tx]
			}
			out[y*n+x] = acc
		}
	}
}

// jitter applies brightness, contrast, saturation and hue in p's order,
// clamping to [0, 1] after each (torchvision's ColorJitter). The ops
// before contrast run in one pass that also sums the luma for contrast's
// mean; contrast and the ops after it run in a second pass.
func jitter(col []float32, p *AugParams) {
	ci := 0
	for k, op := range p.JitterOrder {
		if op == 1 {
			ci = k
		}
	}
	pre, post := p.JitterOrder[:ci], p.JitterOrder[ci:]
	var mean float32
	var sum float64
	for i := 0; i+2 < len(col); i += 3 {
		r, g, b := col[i], col[i+1], col[i+2]
		r, g, b = jitterOps(pre, p, 0, r, g, b)
		col[i], col[i+1], col[i+2] = r, g, b
		sum += float64(lumaR*r + lumaG*g + lumaB*b)
	}
	mean = float32(sum / float64(len(col)/3))
	for i := 0; i+2 < len(col); i += 3 {
		col[i], col[i+1], col[i+2] = jitterOps(post, p, mean, col[i], col[i+1], col[i+2])
	}
}

// jitterOps applies the colour ops to one pixel.
func jitterOps(ops []int, p *AugParams, mean, r, g, b float32) (float32, float32, float32) {
	for _, op := range ops {
		switch op {
		case 0:
			f := float32(p.Brightness)
			r, g, b = clamp01(r*f), clamp01(g*f), clamp01(b*f)
		case 1:
			f := float32(p.Contrast)
			m := (1 - f) * mean
			r, g, b = clamp01(f*r+m), clamp01(f*g+m), clamp01(f*b+m)
		case 2:
			f := float32(p.Saturation)
			m := (1 - f) * (lumaR*r + lumaG*g + lumaB*b)
			r, g, b = clamp01(f*r+m), clamp01(f*g+m), clamp01(f*b+m)
		case 3:
			if p.HueShift != 0 {
				r, g, b = hueShift(r, g, b, float32(p.HueShift))
			}
		}
	}
	return r, g, b
}

func clamp01(v float32) float32 {
	if v < 0 {
		return 0
	}
	if v > 1 {
		return 1
	}
	return v
}

// hueShift rotates the hue of an RGB colour by dh turns (through HSV, as
// torchvision's adjust_hue).
func hueShift(r, g, b, dh float32) (float32, float32, float32) {
	mx := max(r, g, b)
	mn := min(r, g, b)
	d := mx - mn
	if d <= 0 {
		return r, g, b
	}
	var h float32
	switch mx {
	case r:
		h = (g - b) / d
	case g:
		h = (b-r)/d + 2
	default:
		h = (r-g)/d + 4
	}
	h = h/6 + dh
	h -= float32(int(h+8) - 8) // in [0, 1)
	h6 := h * 6
	i := int(h6)
	f := h6 - float32(i)
	v := mx
	p := mn // v * (1 - s) with s = d / v
	q := v - d*f
	t := mn + d*f
	switch i {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	default:
		return v, p, q
	}
}

// erase fills p's rectangle of the gray image.
func erase(gray []float32, p *AugParams, fill string) {
	k := uint64(0)
	for y := p.EraseY; y < p.EraseY+p.EraseH; y++ {
		for x := p.EraseX; x < p.EraseX+p.EraseW; x++ {
			v := p.EraseValue
			switch fill {
			case "noise":
				k++
				v = float32(mix64(p.EraseNoiseKey+k)>>40) / (1 << 24)
			case "black":
				v = 0
			}
			gray[y*Size+x] = v
		}
	}
}
