package data

import "math"

// rgb is a colour with channels in [0, 1].
type rgb [3]float64

func (c rgb) luma() float64 { return lumaR*c[0] + lumaG*c[1] + lumaB*c[2] }

func (c rgb) scale(k float64) rgb { return rgb{c[0] * k, c[1] * k, c[2] * k} }

func (c rgb) mul(d rgb) rgb { return rgb{c[0] * d[0], c[1] * d[1], c[2] * d[2]} }

// mix returns (1-t) c + t d.
func mix(c, d rgb, t float64) rgb {
	return rgb{c[0] + (d[0]-c[0])*t, c[1] + (d[1]-c[1])*t, c[2] + (d[2]-c[2])*t}
}

func (c rgb) clamp() rgb {
	for i := range c {
		c[i] = min(max(c[i], 0), 1)
	}
	return c
}

// hsv2rgb converts hue (turns, any real), saturation and value in [0, 1].
func hsv2rgb(h, s, v float64) rgb {
	h -= math.Floor(h)
	h6 := h * 6
	i := int(h6)
	f := h6 - float64(i)
	p := v * (1 - s)
	q := v * (1 - s*f)
	t := v * (1 - s*(1-f))
	switch i % 6 {
	case 0:
		return rgb{v, t, p}
	case 1:
		return rgb{q, v, p}
	case 2:
		return rgb{p, v, t}
	case 3:
		return rgb{p, q, v}
	case 4:
		return rgb{t, p, v}
	default:
		return rgb{v, p, q}
	}
}

// withLuma returns a colour of hue h and saturation s whose luma is L (as
// near as the gamut allows): the HSV colour is scaled to L, and when a
// channel would exceed 1 it is mixed towards white instead.
func withLuma(h, s, L float64) rgb {
	c := hsv2rgb(h, s, 1)
	l0 := c.luma()
	if L <= l0 {
		return c.scale(L / l0)
	}
	// Mix with white: luma goes linearly from l0 to 1.
	t := (L - l0) / (1 - l0)
	return mix(c, rgb{1, 1, 1}, t)
}

// palette draws garment colours: a background, and foregrounds whose luma
// differs from it by a realistic contrast.
type palette struct {
	r       *rng
	bgHue   float64
	bgSat   float64
	bgLuma  float64
	lumaMin float64
	lumaMax float64
}

// garmentHueSat draws a hue and saturation typical of clothes: many
// near-neutral (white, grey, black, beige), the rest moderately saturated.
func garmentHueSat(r *rng) (h, s float64) {
	switch r.pick(0.35, 0.2, 0.45) {
	case 0: // neutral
		return r.float(), r.uniform(0, 0.12)
	case 1: // navy / denim / earth tones
		if r.chance(0.5) {
			return r.uniform(0.58, 0.67), r.uniform(0.3, 0.7)
		}
		return r.uniform(0.05, 0.12), r.uniform(0.25, 0.6)
	default:
		return r.float(), r.uniform(0.2, 0.7)
	}
}

func newPalette(r *rng, lumaMin, lumaMax float64) *palette {
	p := &palette{r: r, lumaMin: lumaMin, lumaMax: lumaMax}
	p.bgHue, p.bgSat = garmentHueSat(r)
	p.bgLuma = r.uniform(lumaMin, lumaMax)
	return p
}

func (p *palette) bg() rgb { return withLuma(p.bgHue, p.bgSat, p.bgLuma) }

// fg returns a colour whose luma differs from the background by a contrast
// drawn from [cMin, cMax] (log-uniform), towards the side with room.
func (p *palette) fg(cMin, cMax float64) rgb {
	r := p.r
	c := r.logUniform(cMin, cMax)
	dir := r.sign()
	L := p.bgLuma + dir*c
	if L < p.lumaMin-0.05 || L > p.lumaMax+0.05 {
		L = p.bgLuma - dir*c
	}
	L = min(max(L, 0.02), 0.98)
	var h, s float64
	switch r.pick(0.45, 0.3, 0.25) {
	case 0: // same hue family
		h, s = p.bgHue+r.uniform(-0.04, 0.04), min(1, p.bgSat*r.uniform(0.6, 1.4))
	case 1: // neutral
		h, s = r.float(), r.uniform(0, 0.1)
	default:
		h, s = garmentHueSat(r)
	}
	return withLuma(h, s, L)
}
