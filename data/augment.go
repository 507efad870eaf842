package data

import (
	"fmt"
	"math"
	"sync"
)

// AugmentConfig sets the augmentations of the paper (5.1), applied in
// torchvision's order: geometry (rotation, affine, perspective) on the
// colour base image, colour jitter, grayscale, random erase. Each
// augmented image also yields its mirror copies when Mirrors is set.
//
// The zero AugmentConfig means DefaultAugment(); to switch augmentation
// off, use NoAugment().
type AugmentConfig struct {
	// RotationDeg is the largest rotation: the angle is uniform in
	// [-RotationDeg, RotationDeg] degrees.
	RotationDeg float64
	// Perspective is the distortion scale of a perspective change (as
	// torchvision's RandomPerspective): each corner moves inwards by up to
	// Perspective times half the side, on each axis. Applied with
	// probability PerspectiveP.
	Perspective  float64
	PerspectiveP float64
	// ScaleMin and ScaleMax bound the affine zoom (uniform).
	ScaleMin, ScaleMax float64
	// ShearDeg is the largest shear angle on each axis, degrees.
	ShearDeg float64
	// Translate is the largest shift on each axis, as a fraction of the
	// side.
	Translate float64
	// Brightness, Contrast, Saturation and Hue are colour jitter ranges as
	// torchvision's ColorJitter: factors uniform in [1-x, 1+x] (hue shift
	// uniform in [-Hue, Hue] turns, Hue <= 0.5), applied in a random order
	// before grayscale.
	Brightness, Contrast, Saturation, Hue float64
	// EraseFrac is the area of the random erase, as a fraction of the
	// image (the paper: 0.3); its aspect ratio is log-uniform in
	// [0.3, 3.3]. Applied with probability EraseP.
	EraseFrac float64
	EraseP    float64
	// EraseFill is how the erased rectangle is filled: "gray" (one random
	// gray level, like an occluding object; the default), "noise" (uniform
	// random pixels) or "black".
	EraseFill string
	// Border is how geometry fills pixels from outside the image:
	// "reflect" (mirror the image; the default, so that no artificial black
	// wedge appears in a texture) or "black" (torchvision's default).
	Border string
	// Mirrors: every augmented image is followed by its horizontal mirror
	// (left-right flip) and its vertical mirror (up-down flip), as in the
	// paper.
	Mirrors bool
	// Mirror chooses the mirror copies explicitly: MirrorNone, MirrorH
	// (left-right only: clothes, letters seen from the front) or MirrorHV
	// (both, the paper's). Empty means MirrorHV when Mirrors is set, else
	// MirrorNone.
	Mirror string
	// Off turns augmentation off: images are the unaugmented base images
	// (no mirrors), e.g. for the "pre" test split or evaluation.
	Off bool
}

// DefaultAugment returns the augmentation lsconf uses unless told
// otherwise: the paper's rotation (15 deg), erase (30 %) and mirrors, and
// for the parameters the paper does not give, values in the range of
// torchvision's examples: perspective 0.2 with p 0.5, scale 0.9-1.1,
// shear 10 deg, translate 0.1, jitter 0.3/0.3/0.3/0.05, erase p 0.5.
func DefaultAugment() AugmentConfig {
	return AugmentConfig{
		RotationDeg: 15,
		Perspective: 0.2, PerspectiveP: 0.5,
		ScaleMin: 0.9, ScaleMax: 1.1,
		ShearDeg:   10,
		Translate:  0.1,
		Brightness: 0.3, Contrast: 0.3, Saturation: 0.3, Hue: 0.05,
		EraseFrac: 0.3, EraseP: 0.5, EraseFill: "gray",
		Border:  "reflect",
		Mirrors: true, Mirror: MirrorHV,
	}
}

// NoAugment returns a configuration that leaves images as they are.
func NoAugment() AugmentConfig { return AugmentConfig{Off: true} }

// resolve applies the defaults of the zero value and checks the ranges.
func (c AugmentConfig) resolve() (AugmentConfig, error) {
	if c == (AugmentConfig{}) {
		c = DefaultAugment()
	}
	if c.Off {
		return AugmentConfig{Off: true}, nil
	}
	if c.Mirror == "" {
		c.Mirror = MirrorNone
		if c.Mirrors {
			c.Mirror = MirrorHV
		}
	}
	if c.EraseFill == "" {
		c.EraseFill = "gray"
	}
	if c.Border == "" {
		c.Border = "reflect"
	}
	if c.ScaleMin == 0 && c.ScaleMax == 0 {
		c.ScaleMin, c.ScaleMax = 1, 1
	}
	bad := func(what string, v any) error { return fmt.Errorf("augment: %s %v out of range", what, v) }
	switch {
	case c.RotationDeg < 0 || c.RotationDeg > 180:
		return c, bad("rotation", c.RotationDeg)
	case c.Perspective < 0 || c.Perspective >= 1:
		return c, bad("perspective", c.Perspective)
	case c.PerspectiveP < 0 || c.PerspectiveP > 1:
		return c, bad("perspective probability", c.PerspectiveP)
	case c.ScaleMin <= 0 || c.ScaleMax < c.ScaleMin:
		return c, bad("scale range", [2]float64{c.ScaleMin, c.ScaleMax})
	case c.ShearDeg < 0 || c.ShearDeg >= 60:
		return c, bad("shear", c.ShearDeg)
	case c.Translate < 0 || c.Translate > 0.5:
		return c, bad("translate", c.Translate)
	case c.Brightness < 0 || c.Brightness > 1, c.Contrast < 0 || c.Contrast > 1, c.Saturation < 0 || c.Saturation > 1:
		return c, bad("colour jitter", [3]float64{c.Brightness, c.Contrast, c.Saturation})
	case c.Hue < 0 || c.Hue > 0.5:
		return c, bad("hue jitter", c.Hue)
	case c.EraseFrac < 0 || c.EraseFrac >= 1:
		return c, bad("erase fraction", c.EraseFrac)
	case c.EraseP < 0 || c.EraseP > 1:
		return c, bad("erase probability", c.EraseP)
	case c.EraseFill != "gray" && c.EraseFill != "noise" && c.EraseFill != "black":
		return c, fmt.Errorf("augment: erase fill %q (want gray, noise or black)", c.EraseFill)
	case c.Border != "reflect" && c.Border != "black":
		return c, fmt.Errorf("augment: border %q (want reflect or black)", c.Border)
	case c.Mirror != MirrorNone && c.Mirror != MirrorH && c.Mirror != MirrorHV:
		return c, fmt.Errorf("augment: mirror %q (want %s, %s or %s)", c.Mirror, MirrorNone, MirrorH, MirrorHV)
	}
	c.Mirrors = c.Mirror != MirrorNone
	return c, nil
}

// Mirror modes of AugmentConfig.Mirror.
const (
	MirrorNone = "none" // no mirror copies
	MirrorH    = "h"    // the image and its left-right mirror
	MirrorHV   = "hv"   // the image, its left-right and its up-down mirror (the paper)
)

// Copies is the number of images each augmentation yields: 3 with both
// mirrors (the image, its horizontal and its vertical mirror), 2 with the
// horizontal one only, else 1.
func (c AugmentConfig) Copies() int {
	if c.Off {
		return 1
	}
	switch {
	case c.Mirror == MirrorH:
		return 2
	case c.Mirror == MirrorHV, c.Mirror == "" && c.Mirrors:
		return 3
	}
	return 1
}

// Mirror copies, as AugParams.Copy and Origin.Copy.
const (
	CopyPlain  = 0 // the augmented image itself
	CopyHFlip  = 1 // its horizontal mirror (left-right)
	CopyVFlip  = 2 // its vertical mirror (up-down)
	numJitters = 4
)

// AugParams are the random draws of one augmentation.
type AugParams struct {
	AngleDeg       float64
	Scale          float64
	ShearXDeg      float64
	ShearYDeg      float64
	TX, TY         float64       // shift in output pixels
	Persp          bool          // perspective applied
	Corners        [4][2]float64 // where the corners go, output pixels
	Brightness     float64       // factors (1 = unchanged)
	Contrast       float64
	Saturation     float64
	HueShift       float64 // turns
	JitterOrder    [numJitters]int
	Erase          bool
	EraseX, EraseY int // top-left corner, output pixels
	EraseW, EraseH int
	EraseValue     float32 // for "gray" and "black" fills
	EraseNoiseKey  uint64  // for the "noise" fill
}

// Augmenter applies an AugmentConfig. It is safe for concurrent use.
type Augmenter struct {
	cfg  AugmentConfig
	pool sync.Pool // *[]float32 scratch of Pixels*3
}

// NewAugmenter checks cfg (the zero value means DefaultAugment()).
func NewAugmenter(cfg AugmentConfig) (*Augmenter, error) {
	c, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	a := &Augmenter{cfg: c}
	a.pool.New = func() any { s := make([]float32, Pixels*3); return &s }
	return a, nil
}

// Config returns the resolved configuration.
func (a *Augmenter) Config() AugmentConfig { return a.cfg }

// augTag separates augmentation random streams from others.
const augTag = 0x61756700 // "aug"

// Params draws the parameters of augmentation k of base image b under
// seed: the same arguments always give the same parameters.
func (a *Augmenter) Params(seed uint64, b, k int) AugParams {
	c := a.cfg
	r := newRNG(seed, augTag, uint64(b), uint64(k))
	var p AugParams
	p.AngleDeg = r.uniform(-c.RotationDeg, c.RotationDeg)
	p.Scale = r.uniform(c.ScaleMin, c.ScaleMax)
	p.ShearXDeg = r.uniform(-c.ShearDeg, c.ShearDeg)
	p.ShearYDeg = r.uniform(-c.ShearDeg, c.ShearDeg)
	p.TX = r.uniform(-c.Translate, c.Translate) * Size
	p.TY = r.uniform(-c.Translate, c.Translate) * Size
	h := float64(Size) / 2
	p.Corners = [4][2]float64{{-h, -h}, {h, -h}, {h, h}, {-h, h}}
	if c.Perspective > 0 && r.chance(c.PerspectiveP) {
		p.Persp = true
		d := c.Perspective * h
		for i := range p.Corners {
			// inwards on each axis
			p.Corners[i][0] -= math.Copysign(r.uniform(0, d), p.Corners[i][0])
			p.Corners[i][1] -= math.Copysign(r.uniform(0, d), p.Corners[i][1])
		}
	}
	p.Brightness = r.uniform(max(0, 1-c.Brightness), 1+c.Brightness)
	p.Contrast = r.uniform(max(0, 1-c.Contrast), 1+c.Contrast)
	p.Saturation = r.uniform(max(0, 1-c.Saturation), 1+c.Saturation)
	p.HueShift = r.uniform(-c.Hue, c.Hue)
	for i := range p.JitterOrder {
		p.JitterOrder[i] = i
	}
	for i := numJitters - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p.JitterOrder[i], p.JitterOrder[j] = p.JitterOrder[j], p.JitterOrder[i]
	}
	if c.EraseFrac > 0 && r.chance(c.EraseP) {
		p.Erase = true
		p.EraseW, p.EraseH = eraseSize(r, c.EraseFrac)
		p.EraseX = r.intn(Size - p.EraseW + 1)
		p.EraseY = r.intn(Size - p.EraseH + 1)
		switch c.EraseFill {
		case "gray":
			p.EraseValue = float32(r.float())
		case "noise":
			p.EraseNoiseKey = r.u64()
		}
	}
	return p
}

// eraseSize draws the sides of an erase rectangle of area frac*Pixels
// (nearest whole pixels) with a log-uniform aspect ratio in [0.3, 3.3],
// redrawing the ratio when a side would not fit.
func eraseSize(r *rng, frac float64) (w, h int) {
	area := frac * Pixels
	for try := 0; ; try++ {
		ratio := r.logUniform(0.3, 3.3)
		if try >= 10 {
			ratio = 1
		}
		h = int(math.Round(math.Sqrt(area * ratio)))
		if h < 1 || h > Size {
			continue
		}
		w = int(math.Round(area / float64(h)))
		if w >= 1 && w <= Size {
			return w, h
		}
	}
}

// geometry returns the homography that maps a centred output point to the
// centred source point (output pixel units): the inverse of "affine, then
// perspective".
func geometry(p *AugParams) [9]float64 {
	// Forward affine about the centre: rotation, shear, scale, shift (as
	// torchvision's affine: R * Shear * scale, then translate).
	th := p.AngleDeg * math.Pi / 180
	sx := math.Tan(p.ShearXDeg * math.Pi / 180)
	sy := math.Tan(p.ShearYDeg * math.Pi / 180)
	rot := [9]float64{math.Cos(th), -math.Sin(th), 0, math.Sin(th), math.Cos(th), 0, 0, 0, 1}
	shear := [9]float64{1, sx, 0, sy, 1, 0, 0, 0, 1}
	sc := [9]float64{p.Scale, 0, 0, 0, p.Scale, 0, 0, 0, 1}
	tr := [9]float64{1, 0, p.TX, 0, 1, p.TY, 0, 0, 1}
	fwd := mul3(tr, mul3(rot, mul3(shear, sc)))
	if p.Persp {
		h := float64(Size) / 2
		src := [4][2]float64{{-h, -h}, {h, -h}, {h, h}, {-h, h}}
		fwd = mul3(homographyFrom(src, p.Corners), fwd)
	}
	return inv3(fwd)
}

func mul3(a, b [9]float64) [9]float64 {
	var c [9]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			c[3*i+j] = a[3*i]*b[j] + a[3*i+1]*b[3+j] + a[3*i+2]*b[6+j]
		}
	}
	return c
}

func inv3(m [9]float64) [9]float64 {
	a, b, c := m[0], m[1], m[2]
	d, e, f := m[3], m[4], m[5]
	g, h, i := m[6], m[7], m[8]
	A := e*i - f*h
	B := -(d*i - f*g)
	C := d*h - e*g
	det := a*A + b*B + c*C
	return [9]float64{
		A / det, -(b*i - c*h) / det, (b*f - c*e) / det,
		B / det, (a*i - c*g) / det, -(a*f - c*d) / det,
		C / det, -(a*h - b*g) / det, (a*e - b*d) / det,
	}
}

// homographyFrom solves the projective map sending the 4 src points to
// the 4 dst points (h33 = 1), by Gaussian elimination.
func homographyFrom(src, dst [4][2]float64) [9]float64 {
	var m [8][9]float64
	for k := 0; k < 4; k++ {
		x, y := src[k][0], src[k][1]
		u, v := dst[k][0], dst[k][1]
		m[2*k] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		m[2*k+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for col := 0; col < 8; col++ {
		piv := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[piv][col]) {
				piv = r
			}
		}
		m[col], m[piv] = m[piv], m[col]
		for r := 0; r < 8; r++ {
			if r == col || m[col][col] == 0 {
				continue
			}
			f := m[r][col] / m[col][col]
			for c := col; c < 9; c++ {
				m[r][c] -= f * m[col][c]
			}
		}
	}
	var h [9]float64
	for i := 0; i < 8; i++ {
		h[i] = m[i][8] / m[i][i]
	}
	h[8] = 1
	return h
}
