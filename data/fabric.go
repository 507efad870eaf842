package data

import "math"

// A scene is one garment crop: a pattern printed on fabric that folds and
// drapes, lit unevenly, with prints and specks on it. Coordinates are
// output pixels: the crop spans [0, Size) on both axes.
type scene struct {
	pat        pattern
	cosT, sinT float64 // slight rotation of the pattern
	waveAmp    float64 // drape: the pattern waves along its axes
	waveLen    float64
	wavePh     float64
	folds      []fold
	gradX      float64 // lighting gradient per output pixel
	gradY      float64
	cylinder   float64 // darkening towards the sides (a torso is round)
	cylAxisX   bool
	light      rgb // tint times exposure
	prints     []print
	specks     []speck
}

// fold is a fabric fold along a line: a light and a dark flank, an
// optional dark crease, and a displacement of the pattern across it.
type fold struct {
	px, py float64 // a point of the fold line
	nx, ny float64 // unit normal
	curv   float64 // the line bends: d += curv * t^2
	w      float64 // half width
	amp    float64 // shading amplitude of the flanks
	crease float64 // darkening of the crease
	disp   float64 // pattern displacement across the fold
}

// distance returns the signed distance of (x, y) to the (bent) fold line.
func (f *fold) distance(x, y float64) float64 {
	dx, dy := x-f.px, y-f.py
	t := -f.ny*dx + f.nx*dy
	return f.nx*dx + f.ny*dy + f.curv*t*t
}

// print is a motif printed on a garment: a logo-like shape.
type print struct {
	kind           int // 0 ellipse, 1 ring, 2 rectangle, 3 row of letters
	cx, cy, rx, ry float64
	col            rgb
	letters        []float64 // letter widths (kind 3)
}

// letterGap is the space between the letters of a printed word.
const letterGap = 0.9

// speck is a dot of lint, dirt or print defect.
type speck struct {
	x, y, r float64
	col     rgb
}

// sceneConfig sets how much folding, lighting and clutter a scene gets.
type sceneConfig struct {
	rotMax      float64 // pattern rotation, degrees
	foldWeights []float64
	foldAmpMax  float64
	printP      float64
	maxSpecks   int
	gradMax     float64
	tintMax     float64
	expoMin     float64
	expoMax     float64
}

// newScene draws the fabric around a pattern.
func newScene(r *rng, pat pattern, pal *palette, cfg sceneConfig) *scene {
	s := &scene{pat: pat}
	th := r.uniform(-cfg.rotMax, cfg.rotMax) * math.Pi / 180
	s.cosT, s.sinT = math.Cos(th), math.Sin(th)
	if r.chance(0.6) {
		s.waveAmp = r.uniform(0.1, 0.7)
		s.waveLen = r.uniform(18, 60)
		s.wavePh = r.float() * 2 * math.Pi
	}
	nf := r.pick(cfg.foldWeights...)
	for i := 0; i < nf; i++ {
		var a float64 // direction of the fold line
		switch r.pick(0.5, 0.2, 0.3) {
		case 0:
			a = math.Pi/2 + r.uniform(-0.35, 0.35)
		case 1:
			a = r.uniform(-0.35, 0.35)
		default:
			a = r.float() * math.Pi
		}
		f := fold{
			px: r.uniform(3, Size-3), py: r.uniform(3, Size-3),
			nx: -math.Sin(a), ny: math.Cos(a),
			curv: r.uniform(-0.015, 0.015),
			w:    r.logUniform(1.5, 6),
			amp:  r.uniform(0.05, cfg.foldAmpMax),
			disp: r.uniform(-1.5, 1.5),
		}
		if r.chance(0.5) {
			f.crease = r.uniform(0, f.amp)
		}
		s.folds = append(s.folds, f)
	}
	s.gradX = r.uniform(-cfg.gradMax, cfg.gradMax) / Size
	s.gradY = r.uniform(-cfg.gradMax, cfg.gradMax) / Size
	if r.chance(0.4) {
		s.cylinder = r.uniform(0, 0.35)
		s.cylAxisX = r.chance(0.7)
	}
	tint := rgb{1 + r.uniform(-cfg.tintMax, cfg.tintMax), 1, 1 + r.uniform(-cfg.tintMax, cfg.tintMax)}
	s.light = tint.scale(r.uniform(cfg.expoMin, cfg.expoMax) / tint.luma())
	if r.chance(cfg.printP) {
		p := print{kind: r.intn(4), cx: r.uniform(2, Size-2), cy: r.uniform(2, Size-2)}
		p.rx = r.uniform(3, 9)
		p.ry = p.rx * r.uniform(0.5, 1.3)
		p.col = pal.fg(0.15, 0.6)
		if p.kind == 3 {
			p.ry = r.uniform(1, 1.8)
			for w := 0.0; w < 2*p.rx; {
				lw := r.uniform(1.3, 2.6)
				p.letters = append(p.letters, lw)
				w += lw + letterGap
			}
		}
		s.prints = append(s.prints, p)
	}
	for i, n := 0, r.intn(cfg.maxSpecks+1); i < n; i++ {
		c := rgb{0.9, 0.9, 0.88}
		if r.chance(0.4) {
			c = rgb{0.1, 0.09, 0.08}
		}
		s.specks = append(s.specks, speck{x: r.uniform(0, Size), y: r.uniform(0, Size), r: r.uniform(0.25, 0.8), col: mix(pal.bg(), c, r.uniform(0.4, 0.9))})
	}
	return s
}

// colourAt is the colour of the scene at (x, y) in output pixels, aa the
// anti-aliasing width of edges.
func (s *scene) colourAt(x, y, aa float64) rgb {
	shade := 1.0
	px, py := x, y
	for i := range s.folds {
		f := &s.folds[i]
		d := f.distance(x, y) / f.w
		if d < -6 || d > 6 { // far from the fold: no shading, full shift
			disp := math.Copysign(f.disp, d)
			px += f.nx * disp
			py += f.ny * disp
			continue
		}
		shade += f.amp * d * exp(0.5*(1-d*d))
		if f.crease != 0 && d > -2 && d < 2 {
			shade -= f.crease * exp(-d*d*9)
		}
		disp := f.disp * tanh(d)
		px += f.nx * disp
		py += f.ny * disp
	}
	if s.waveAmp != 0 {
		px += s.waveAmp * math.Sin(2*math.Pi*py/s.waveLen+s.wavePh)
		py += s.waveAmp * math.Sin(2*math.Pi*px/s.waveLen+s.wavePh*1.7)
	}
	// Rotate the pattern about the centre of the crop.
	cx, cy := px-Size/2, py-Size/2
	u := s.cosT*cx - s.sinT*cy + Size/2
	v := s.sinT*cx + s.cosT*cy + Size/2
	c := s.pat.at(u, v)
	for i := range s.prints {
		if k := s.prints[i].cover(px, py, aa); k > 0 {
			c = mix(c, s.prints[i].col, k)
		}
	}
	for _, sp := range s.specks {
		if k := coverStep(sp.r-math.Hypot(x-sp.x, y-sp.y), aa); k > 0 {
			c = mix(c, sp.col, k)
		}
	}
	shade += s.gradX*(x-Size/2) + s.gradY*(y-Size/2)
	if s.cylinder != 0 {
		t := (x - Size/2) / (Size / 2)
		if !s.cylAxisX {
			t = (y - Size/2) / (Size / 2)
		}
		shade -= s.cylinder * t * t
	}
	return c.mul(s.light).scale(max(shade, 0.05))
}

// cover is the coverage of the print at (x, y).
func (p *print) cover(x, y, aa float64) float64 {
	dx, dy := x-p.cx, y-p.cy
	switch p.kind {
	case 0, 1:
		// Approximate distance to the ellipse boundary, in pixels.
		q := math.Hypot(dx/p.rx, dy/p.ry)
		d := (1 - q) * min(p.rx, p.ry)
		if p.kind == 1 {
			d = min(d, (q-0.6)*min(p.rx, p.ry))
		}
		return coverStep(d, aa)
	case 2:
		return coverStep(min(p.rx-math.Abs(dx), p.ry-math.Abs(dy)), aa)
	default:
		if math.Abs(dy) > p.ry+aa {
			return 0
		}
		x0 := p.cx - p.rx
		for _, lw := range p.letters {
			if x >= x0-aa && x < x0+lw+aa {
				return coverStep(min(x-x0, x0+lw-x, p.ry-math.Abs(dy)), aa)
			}
			x0 += lw + letterGap
		}
		return 0
	}
}

// render draws the scene on an n x n RGB grid covering the crop (pixel
// centres), returning float values (not clamped).
func (s *scene) render(n int) []float32 {
	img := make([]float32, n*n*3)
	step := float64(Size) / float64(n)
	aa := max(step, 0.2)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c := s.colourAt((float64(x)+0.5)*step, (float64(y)+0.5)*step, aa)
			o := (y*n + x) * 3
			img[o], img[o+1], img[o+2] = float32(c[0]), float32(c[1]), float32(c[2])
		}
	}
	return img
}

// addNoise adds sensor noise: Gaussian luma noise of deviation sigma and
// chroma noise of deviation chroma*sigma, per pixel.
func addNoise(r *rng, img []float32, sigma, chroma float64) {
	for i := 0; i+2 < len(img); i += 3 {
		l := sigma * r.norm()
		for c := 0; c < 3; c++ {
			img[i+c] += float32(l + chroma*sigma*r.norm())
		}
	}
}
