package data

import "math"

// A pattern gives the colour of a fabric print at pattern coordinates
// (u, v), in output pixels (the 32x32 image spans [0, 32) on both axes).
type pattern interface {
	at(u, v float64) rgb
}

// style holds the ranges a renderer draws pattern sizes from, in output
// pixels, and the anti-aliasing width of hard edges.
type style struct {
	stripeMin, stripeMax float64 // stripe period
	checkMin, checkMax   float64 // check cell size (half period)
	dotMin, dotMax       float64 // dot spacing
	aa                   float64 // edge width
	contrastMin          float64 // smallest luma contrast of a print
	contrastMax          float64
}

// coverStep is the anti-aliased coverage of a signed distance (positive
// inside) for an edge of width aa.
func coverStep(d, aa float64) float64 {
	return min(max(0.5+d/aa, 0), 1)
}

// stripeCov is the coverage of a periodic band of period p whose
// duty-cycle part [0, duty*p) (shifted by phase, in turns) is inside.
func stripeCov(t, p, duty, phase, aa float64) float64 {
	f := t/p + phase
	f = (f - math.Floor(f)) * p
	w := duty * p
	var d float64
	if f < w {
		d = min(f, w-f)
	} else {
		d = -min(f-w, p-f)
	}
	return coverStep(d, aa)
}

// stripes are bands along one pattern axis: horizontal lines vary along
// v, vertical lines along u.
type stripes struct {
	vertical bool
	period   float64
	aa       float64
	soft     bool // knit-like cosine profile instead of hard bands
	bg       rgb
	bands    []band // drawn in order over bg
}

// band is one coloured stripe of a period: [start, start+width) in turns.
type band struct {
	start, width float64
	col          rgb
}

func newStripes(r *rng, pal *palette, st style, vertical bool) *stripes {
	s := &stripes{vertical: vertical, aa: st.aa, bg: pal.bg()}
	s.period = r.logUniform(st.stripeMin, st.stripeMax)
	fg := pal.fg(st.contrastMin, st.contrastMax)
	switch r.pick(0.45, 0.15, 0.15, 0.13, 0.12) {
	case 0: // two-tone stripes
		s.bands = []band{{0, r.uniform(0.25, 0.65), fg}}
	case 1: // pinstripes: thin lines, period at least twice the minimum
		s.period = r.logUniform(max(st.stripeMin*1.3, 4), st.stripeMax)
		s.bands = []band{{0, max(r.uniform(0.1, 0.22), 0.9/s.period), fg}}
	case 2: // three colours (rugby / Breton)
		w1 := r.uniform(0.2, 0.4)
		w2 := r.uniform(0.12, 0.3)
		s.period = r.logUniform(max(st.stripeMin*1.4, 5), st.stripeMax*1.3)
		s.bands = []band{{0, w1, fg}, {w1 + r.uniform(0.08, 0.25), w2, pal.fg(st.contrastMin, st.contrastMax)}}
	case 3: // double lines
		s.period = r.logUniform(max(st.stripeMin*1.8, 6), st.stripeMax*1.4)
		w := max(r.uniform(0.1, 0.16), 0.9/s.period)
		s.bands = []band{{0, w, fg}, {w + r.uniform(0.1, 0.22), w, fg}}
	default: // soft knit stripes, fine enough to read as stripes
		s.soft = true
		s.period = r.logUniform(st.stripeMin, max(st.stripeMin*1.5, 8))
		s.bands = []band{{0, 0.5, fg}}
	}
	ph := r.float()
	for i := range s.bands {
		s.bands[i].start += ph
	}
	return s
}

func (s *stripes) at(u, v float64) rgb {
	t := v
	if s.vertical {
		t = u
	}
	if s.soft {
		k := 0.5 + 0.5*math.Cos(2*math.Pi*(t/s.period-s.bands[0].start))
		return mix(s.bg, s.bands[0].col, k)
	}
	c := s.bg
	for _, b := range s.bands {
		c = mix(c, b.col, stripeCov(t, s.period, b.width, -b.start, s.aa))
	}
	return c
}

// checks are the "squares" class: checkerboards, gingham, tartan-like
// plaids and windowpane grids.
type checks struct {
	kind   int
	period float64 // full period (two cells)
	duty   float64
	aa     float64
	phU    float64
	phV    float64
	bg, fg rgb
	// tartan: bands per period, same along both axes
	bands []band
	over  rgb // tartan overcheck line colour
}

const (
	checkBoard = iota
	checkGingham
	checkTartan
	checkGrid
)

func newChecks(r *rng, pal *palette, st style) *checks {
	c := &checks{aa: st.aa, bg: pal.bg(), fg: pal.fg(st.contrastMin, st.contrastMax), phU: r.float(), phV: r.float()}
	c.kind = r.pick(0.4, 0.3, 0.18, 0.12)
	cell := r.logUniform(st.checkMin, st.checkMax)
	c.period = 2 * cell
	c.duty = 0.5
	switch c.kind {
	case checkGingham:
		c.duty = r.uniform(0.35, 0.55)
	case checkTartan:
		c.period = r.logUniform(max(4*st.checkMin, 10), 3*st.checkMax)
		w1 := r.uniform(0.25, 0.45)
		w2 := r.uniform(0.1, 0.2)
		c.bands = []band{{0, w1, c.fg}, {w1 + r.uniform(0.1, 0.2), w2, pal.fg(st.contrastMin, st.contrastMax)}}
		c.over = pal.fg(st.contrastMin, st.contrastMax)
	case checkGrid:
		c.period = r.logUniform(max(2*st.checkMin, 5), 2*st.checkMax)
		c.duty = max(r.uniform(0.1, 0.2), 0.9/c.period)
	}
	return c
}

func (c *checks) at(u, v float64) rgb {
	switch c.kind {
	case checkBoard:
		a := stripeCov(u, c.period, 0.5, c.phU, c.aa)
		b := stripeCov(v, c.period, 0.5, c.phV, c.aa)
		return mix(c.bg, c.fg, a+b-2*a*b) // soft xor
	case checkGingham:
		a := stripeCov(u, c.period, c.duty, c.phU, c.aa)
		b := stripeCov(v, c.period, c.duty, c.phV, c.aa)
		return mix(c.bg, c.fg, 0.5*(a+b))
	case checkTartan:
		warp, weft := c.bg, c.bg
		for _, bd := range c.bands {
			warp = mix(warp, bd.col, stripeCov(u, c.period, bd.width, c.phU-bd.start, c.aa))
			weft = mix(weft, bd.col, stripeCov(v, c.period, bd.width, c.phV-bd.start, c.aa))
		}
		col := mix(warp, weft, 0.5)
		w := 0.8 / c.period
		ov := max(stripeCov(u, c.period, w, c.phU-0.75, c.aa), stripeCov(v, c.period, w, c.phV-0.75, c.aa))
		return mix(col, c.over, 0.8*ov)
	default: // grid
		a := stripeCov(u, c.period, c.duty, c.phU, c.aa)
		b := stripeCov(v, c.period, c.duty, c.phV, c.aa)
		return mix(c.bg, c.fg, max(a, b))
	}
}

// dots are polka dots on a square or hexagonal lattice, with a little
// irregularity of position and size per dot.
type dots struct {
	spacing float64
	rowStep float64 // distance between rows
	hex     bool
	radius  float64
	jitter  float64 // position jitter, fraction of spacing
	sizeVar float64
	aa      float64
	ou, ov  float64
	key     uint64
	bg, fg  rgb
}

func newDots(r *rng, pal *palette, st style) *dots {
	// Small dots average away: give dots at least 1.5x the smallest contrast.
	d := &dots{aa: st.aa, bg: pal.bg(), fg: pal.fg(1.5*st.contrastMin, st.contrastMax), key: r.u64()}
	d.spacing = r.logUniform(st.dotMin, st.dotMax)
	d.hex = r.chance(0.5)
	d.rowStep = d.spacing
	if d.hex {
		d.rowStep = d.spacing * math.Sqrt(3) / 2
	}
	d.radius = max(d.spacing*r.uniform(0.17, 0.34), 0.7)
	d.jitter = r.uniform(0, 0.08)
	d.sizeVar = r.uniform(0, 0.15)
	d.ou, d.ov = r.uniform(0, d.spacing), r.uniform(0, d.spacing)
	return d
}

func (d *dots) at(u, v float64) rgb {
	u += d.ou
	v += d.ov
	row := math.Floor(v / d.rowStep)
	best := 0.0
	for dr := -1.0; dr <= 1; dr++ {
		j := row + dr
		shift := 0.0
		if d.hex && int64(j)&1 != 0 {
			shift = d.spacing / 2
		}
		col := math.Floor((u - shift) / d.spacing)
		for dc := -1.0; dc <= 1; dc++ {
			i := col + dc
			h := mix64(d.key ^ uint64(int64(i)*73856093) ^ uint64(int64(j)*19349663))
			jx := (float64(h&0xffff)/65535 - 0.5) * 2 * d.jitter * d.spacing
			jy := (float64((h>>16)&0xffff)/65535 - 0.5) * 2 * d.jitter * d.spacing
			rs := d.radius * (1 + (float64((h>>32)&0xffff)/65535-0.5)*2*d.sizeVar)
			cx := i*d.spacing + shift + jx
			cy := j*d.rowStep + jy
			dist := math.Hypot(u-cx, v-cy)
			best = max(best, coverStep(rs-dist, d.aa))
		}
	}
	return mix(d.bg, d.fg, best)
}

// plain is the "uniform" class: one colour with a mottled (heathered)
// yarn texture.
type plain struct {
	bg      rgb
	heather float64
	scale   float64
	key     uint64
}

func newPlain(r *rng, pal *palette) *plain {
	return &plain{bg: pal.bg(), heather: r.uniform(0.01, 0.07), scale: r.uniform(0.8, 3), key: r.u64()}
}

func (p *plain) at(u, v float64) rgb {
	n := valueNoise(p.key, u/p.scale, v/p.scale)
	return p.bg.scale(1 + p.heather*n)
}

// valueNoise is smooth lattice noise in [-1, 1] (bilinear with smoothstep).
func valueNoise(key uint64, x, y float64) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	fx = fx * fx * (3 - 2*fx)
	fy = fy * fy * (3 - 2*fy)
	i, j := int64(x0), int64(y0)
	h := func(a, b int64) float64 {
		return float64(mix64(key^uint64(a*0x27d4eb2d)^uint64(b*0x165667b1))>>11)/(1<<52) - 1
	}
	a := h(i, j) + (h(i+1, j)-h(i, j))*fx
	b := h(i, j+1) + (h(i+1, j+1)-h(i, j+1))*fx
	return a + (b-a)*fy
}
