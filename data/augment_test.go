package data

import (
	"math"
	"testing"
)

// geometryOnly is a configuration with every augmentation off except the
// ones the caller sets.
func geometryOnly() AugmentConfig {
	return AugmentConfig{ScaleMin: 1, ScaleMax: 1, EraseFill: "black", Border: "black"}
}

func TestRotationRange(t *testing.T) {
	a, err := NewAugmenter(DefaultAugment())
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := 0.0, 0.0
	for k := 0; k < 5000; k++ {
		p := a.Params(7, k%13, k)
		if math.Abs(p.AngleDeg) > 15 {
			t.Fatalf("angle %v outside +-15", p.AngleDeg)
		}
		lo, hi = min(lo, p.AngleDeg), max(hi, p.AngleDeg)
	}
	if lo > -14.5 || hi < 14.5 {
		t.Fatalf("angles span only [%v, %v] of +-15", lo, hi)
	}
}

// barAngle measures the orientation (degrees, image axes: x right, y
// down) of the bright structure in the central disc of a gray image.
func barAngle(g []float32) float64 {
	var m, mx, my float64
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			dx, dy := float64(x)+0.5-Size/2, float64(y)+0.5-Size/2
			if dx*dx+dy*dy > 11*11 {
				continue
			}
			w := float64(g[y*Size+x])
			m += w
			mx += w * dx
			my += w * dy
		}
	}
	cx, cy := mx/m, my/m
	var sxx, syy, sxy float64
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			dx, dy := float64(x)+0.5-Size/2, float64(y)+0.5-Size/2
			if dx*dx+dy*dy > 11*11 {
				continue
			}
			w := float64(g[y*Size+x])
			dx, dy = dx-cx, dy-cy
			sxx += w * dx * dx
			syy += w * dy * dy
			sxy += w * dx * dy
		}
	}
	return 0.5 * math.Atan2(2*sxy, sxx-syy) * 180 / math.Pi
}

// TestRotationImage rotates a horizontal bar and measures the angle of
// the result: the image turns by the drawn angle, within +-15 degrees.
func TestRotationImage(t *testing.T) {
	b := flatBase(0, 0, 0)
	for y := BaseSize/2 - 2; y < BaseSize/2+2; y++ {
		for x := 0; x < BaseSize; x++ {
			o := (y*BaseSize + x) * 3
			b.RGB[0][o], b.RGB[0][o+1], b.RGB[0][o+2] = 255, 255, 255
		}
	}
	cfg := geometryOnly()
	cfg.RotationDeg = 15
	a, err := NewAugmenter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, Pixels)
	if got := barAngle(func() []float32 { b.Image(0, out); return out }()); math.Abs(got) > 0.01 {
		t.Fatalf("unrotated bar at %v degrees", got)
	}
	for k := 0; k < 200; k++ {
		p := a.Params(1, 0, k)
		if err := a.Apply(b.RGB[0], &p, CopyPlain, out); err != nil {
			t.Fatal(err)
		}
		got := barAngle(out)
		if math.Abs(got) > 15.5 || math.Abs(got-p.AngleDeg) > 1 {
			t.Fatalf("augmentation %d: drawn %.2f deg, image rotated %.2f deg", k, p.AngleDeg, got)
		}
	}
}

func TestEraseArea(t *testing.T) {
	b := flatBase(255, 255, 255)
	cfg := geometryOnly()
	cfg.EraseFrac, cfg.EraseP = 0.3, 1
	a, err := NewAugmenter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, Pixels)
	want := 0.3 * Pixels
	for k := 0; k < 1000; k++ {
		p := a.Params(3, 0, k)
		if !p.Erase {
			t.Fatal("erase with p = 1 not applied")
		}
		if err := a.Apply(b.RGB[0], &p, CopyPlain, out); err != nil {
			t.Fatal(err)
		}
		zeros, ones := 0, 0
		for _, v := range out {
			switch v {
			case 0:
				zeros++
			case 1:
				ones++
			}
		}
		if zeros+ones != Pixels {
			t.Fatalf("augmentation %d: %d pixels neither erased nor untouched", k, Pixels-zeros-ones)
		}
		if zeros != p.EraseW*p.EraseH {
			t.Fatalf("augmentation %d: %d pixels erased, rectangle %dx%d", k, zeros, p.EraseW, p.EraseH)
		}
		// rounding to whole pixels: w = round(area/h) is off by <= h/2
		if d := math.Abs(float64(zeros) - want); d > float64(p.EraseH)/2 {
			t.Fatalf("augmentation %d: erased %d pixels (%.1f%%), want 30%% of %d = %.1f within rounding (%d/2)",
				k, zeros, 100*float64(zeros)/Pixels, Pixels, want, p.EraseH)
		}
		if p.EraseX < 0 || p.EraseY < 0 || p.EraseX+p.EraseW > Size || p.EraseY+p.EraseH > Size {
			t.Fatalf("augmentation %d: rectangle %+v outside the image", k, p)
		}
	}
	// With the default probability 0.5, about half the images are erased.
	d, _ := NewAugmenter(DefaultAugment())
	n := 0
	for k := 0; k < 2000; k++ {
		if p := d.Params(5, 1, k); p.Erase {
			n++
		}
	}
	if n < 900 || n > 1100 {
		t.Fatalf("%d of 2000 erased with p = 0.5", n)
	}
}

func TestMirrorsAreExactFlips(t *testing.T) {
	b := textures(t, TrainSet, 4, 1)
	s, err := NewAugmentedSet(b, 5, DefaultAugment(), 9)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() != b.Len()*5*3 {
		t.Fatalf("len %d, want %d", s.Len(), b.Len()*15)
	}
	img := make([][]float32, 3)
	for c := range img {
		img[c] = make([]float32, Pixels)
	}
	differ := 0
	for i := 0; i < s.Len(); i += 3 {
		for c := 0; c < 3; c++ {
			o := s.Origin(i + c)
			if o.Copy != c || o.Aug != (i/3)%5 || o.Base != i/15 {
				t.Fatalf("origin of %d: %+v", i+c, o)
			}
			if _, err := s.Image(i+c, img[c]); err != nil {
				t.Fatal(err)
			}
		}
		for y := 0; y < Size; y++ {
			for x := 0; x < Size; x++ {
				v := img[0][y*Size+x]
				if h := img[1][y*Size+Size-1-x]; h != v {
					t.Fatalf("image %d: horizontal mirror differs at (%d,%d): %v vs %v", i, x, y, h, v)
				}
				if w := img[2][(Size-1-y)*Size+x]; w != v {
					t.Fatalf("image %d: vertical mirror differs at (%d,%d): %v vs %v", i, x, y, w, v)
				}
			}
		}
		if img[0][0] != img[1][0] {
			differ++
		}
	}
	if differ == 0 {
		t.Fatal("mirror copies are all symmetric: flips not applied")
	}
}

func TestIdentityAugmentation(t *testing.T) {
	b := textures(t, TrainSet, 2, 1)
	a, err := NewAugmenter(geometryOnly())
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float32, Pixels)
	got := make([]float32, Pixels)
	for i := 0; i < b.Len(); i++ {
		p := a.Params(1, i, 0)
		if err := a.Apply(b.RGB[i], &p, CopyPlain, got); err != nil {
			t.Fatal(err)
		}
		b.Image(i, want)
		for k := range want {
			if math.Abs(float64(got[k]-want[k])) > 1e-6 {
				t.Fatalf("image %d pixel %d: identity augmentation gives %v, unaugmented %v", i, k, got[k], want[k])
			}
		}
	}
	off, _ := NewAugmenter(NoAugment())
	p := off.Params(1, 0, 0)
	off.Apply(b.RGB[0], &p, CopyHFlip, got)
	b.Image(0, want)
	for k := range want {
		if got[k] != want[k] {
			t.Fatal("NoAugment changed the image")
		}
	}
}

func TestAugmentationChangesImages(t *testing.T) {
	b := textures(t, TrainSet, 2, 1)
	a, _ := NewAugmenter(DefaultAugment())
	plain := make([]float32, Pixels)
	aug := make([]float32, Pixels)
	for i := 0; i < b.Len(); i++ {
		b.Image(i, plain)
		p := a.Params(1, i, 0)
		a.Apply(b.RGB[i], &p, CopyPlain, aug)
		var d float64
		for k := range plain {
			d += math.Abs(float64(plain[k] - aug[k]))
		}
		if d/Pixels < 0.01 {
			t.Fatalf("image %d: augmentation changed the image by %.4f on average", i, d/Pixels)
		}
		for _, v := range aug {
			if !(v >= 0 && v <= 1) {
				t.Fatalf("image %d: pixel %v outside [0, 1]", i, v)
			}
		}
	}
}

func TestPerspectiveBounds(t *testing.T) {
	cfg := DefaultAugment()
	cfg.PerspectiveP = 1
	a, _ := NewAugmenter(cfg)
	h := float64(Size) / 2
	d := cfg.Perspective * h
	for k := 0; k < 1000; k++ {
		p := a.Params(2, 0, k)
		if !p.Persp {
			t.Fatal("perspective with p = 1 not applied")
		}
		for _, c := range p.Corners {
			for _, v := range c {
				if m := math.Abs(v); m > h || m < h-d {
					t.Fatalf("corner %v outside [%v, %v] from the centre", c, h-d, h)
				}
			}
		}
		// The homography sends the moved corners back to the source corners.
		g := geometry(&AugParams{Scale: 1, Persp: true, Corners: p.Corners})
		src := [4][2]float64{{-h, -h}, {h, -h}, {h, h}, {-h, h}}
		for i, c := range p.Corners {
			w := g[6]*c[0] + g[7]*c[1] + g[8]
			x := (g[0]*c[0] + g[1]*c[1] + g[2]) / w
			y := (g[3]*c[0] + g[4]*c[1] + g[5]) / w
			if math.Abs(x-src[i][0]) > 1e-9 || math.Abs(y-src[i][1]) > 1e-9 {
				t.Fatalf("corner %v maps to (%v, %v), want %v", c, x, y, src[i])
			}
		}
	}
}

func TestAffineBounds(t *testing.T) {
	cfg := DefaultAugment()
	a, _ := NewAugmenter(cfg)
	for k := 0; k < 2000; k++ {
		p := a.Params(4, 1, k)
		if p.Scale < 0.9 || p.Scale > 1.1 || math.Abs(p.ShearXDeg) > 10 || math.Abs(p.ShearYDeg) > 10 ||
			math.Abs(p.TX) > 0.1*Size || math.Abs(p.TY) > 0.1*Size {
			t.Fatalf("affine draw out of range: %+v", p)
		}
		if p.Brightness < 0.7 || p.Brightness > 1.3 || p.Contrast < 0.7 || p.Contrast > 1.3 ||
			p.Saturation < 0.7 || p.Saturation > 1.3 || math.Abs(p.HueShift) > 0.05 {
			t.Fatalf("jitter draw out of range: %+v", p)
		}
	}
}

func TestHueShift(t *testing.T) {
	r, g, b := hueShift(1, 0, 0, 1.0/3)
	if math.Abs(float64(r)) > 1e-6 || math.Abs(float64(g-1)) > 1e-6 || math.Abs(float64(b)) > 1e-6 {
		t.Fatalf("red shifted by 1/3 turn = (%v, %v, %v), want green", r, g, b)
	}
	// Against the float64 HSV reference on a grid of colours.
	for _, c := range [][3]float32{{0.2, 0.5, 0.9}, {0.7, 0.3, 0.1}, {0.4, 0.4, 0.4}, {0.9, 0.9, 0.2}} {
		for _, dh := range []float32{-0.05, 0.01, 0.3} {
			r, g, b := hueShift(c[0], c[1], c[2], dh)
			mx := max(c[0], c[1], c[2])
			mn := min(c[0], c[1], c[2])
			if mx == mn {
				if r != c[0] || g != c[1] || b != c[2] {
					t.Fatal("gray changed by a hue shift")
				}
				continue
			}
			// hue of the input
			var h float64
			d := float64(mx - mn)
			switch mx {
			case c[0]:
				h = math.Mod(float64(c[1]-c[2])/d+6, 6)
			case c[1]:
				h = float64(c[2]-c[0])/d + 2
			default:
				h = float64(c[0]-c[1])/d + 4
			}
			want := hsv2rgb(h/6+float64(dh), d/float64(mx), float64(mx))
			if math.Abs(float64(r)-want[0]) > 1e-5 || math.Abs(float64(g)-want[1]) > 1e-5 || math.Abs(float64(b)-want[2]) > 1e-5 {
				t.Fatalf("hueShift(%v, %v) = (%v %v %v), want %v", c, dh, r, g, b, want)
			}
		}
	}
}

func TestAugmentConfigChecks(t *testing.T) {
	for _, c := range []AugmentConfig{
		{RotationDeg: -1, ScaleMin: 1, ScaleMax: 1},
		{Perspective: 1, ScaleMin: 1, ScaleMax: 1},
		{ScaleMin: 1.2, ScaleMax: 1.1},
		{EraseFrac: 1, ScaleMin: 1, ScaleMax: 1},
		{Hue: 0.6, ScaleMin: 1, ScaleMax: 1},
		{EraseFill: "pink", ScaleMin: 1, ScaleMax: 1},
		{Border: "wrap", ScaleMin: 1, ScaleMax: 1},
	} {
		if _, err := NewAugmenter(c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
	a, err := NewAugmenter(AugmentConfig{})
	if err != nil || a.Config() != DefaultAugment() {
		t.Fatalf("zero config = %+v, %v; want the default", a.Config(), err)
	}
}

func TestAugmentDeterminism(t *testing.T) {
	a, _ := NewAugmenter(DefaultAugment())
	if a.Params(1, 2, 3) != a.Params(1, 2, 3) {
		t.Fatal("same arguments, different parameters")
	}
	if a.Params(1, 2, 3) == a.Params(2, 2, 3) || a.Params(1, 2, 3) == a.Params(1, 2, 4) || a.Params(1, 2, 3) == a.Params(1, 3, 3) {
		t.Fatal("different seeds or indices gave the same parameters")
	}
}
