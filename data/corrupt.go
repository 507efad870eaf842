package data

import (
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Corruption is one kind of image corruption of the shifted sets, in the
// spirit of MNIST-C (Mu & Gilmer 2019) and ImageNet-C: a deterministic
// function of the image, a severity (1-3) and a random stream.
type Corruption struct {
	// Name is the kind's name in source specs ("blur").
	Name string
	// Levels are the parameter of severities 1, 2 and 3 (its meaning is
	// in About).
	Levels [CorruptionSeverities]float64
	// About says what the corruption does and what Levels mean.
	About string
	apply func(img []float64, level float64, r *rng)
}

// CorruptionSeverities is the number of severities of every corruption.
const CorruptionSeverities = 3

// Corruptions lists the corruption kinds in a fixed order.
func Corruptions() []Corruption {
	return []Corruption{
		{Name: "gaussian-noise", Levels: [3]float64{0.08, 0.16, 0.28}, About: "additive Gaussian noise of standard deviation L on every pixel", apply: cGaussianNoise},
		{Name: "impulse-noise", Levels: [3]float64{0.03, 0.08, 0.16}, About: "a share L of the pixels set to black or white (salt and pepper)", apply: cImpulseNoise},
		{Name: "blur", Levels: [3]float64{0.7, 1.2, 1.8}, About: "Gaussian blur of standard deviation L pixels", apply: cBlur},
		{Name: "contrast", Levels: [3]float64{0.5, 0.3, 0.15}, About: "contrast scaled by L around the image's mean", apply: cContrast},
		{Name: "brightness", Levels: [3]float64{0.2, 0.35, 0.5}, About: "L added to every pixel (the black background turns grey)", apply: cBrightness},
		{Name: "rotate", Levels: [3]float64{12, 24, 40}, About: "rotation by L degrees about the centre, random direction", apply: cRotate},
		{Name: "shear", Levels: [3]float64{0.2, 0.4, 0.65}, About: "horizontal shear x += L (y - centre), random direction", apply: cShear},
		{Name: "scale", Levels: [3]float64{0.8, 0.65, 0.5}, About: "zoom out by the factor L about the centre", apply: cScale},
		{Name: "translate", Levels: [3]float64{3, 5, 7}, About: "shift by L pixels in one of eight random directions", apply: cTranslate},
		{Name: "occlusion", Levels: [3]float64{8, 12, 16}, About: "a mid-grey square of side L pixels at a random place over the garment", apply: cOcclusion},
		{Name: "stripes", Levels: [3]float64{0.15, 0.3, 0.5}, About: "horizontal or vertical stripes of period 4 pixels and amplitude L added", apply: cStripes},
	}
}

// CorruptionNames are the names of Corruptions, in order.
func CorruptionNames() []string {
	var out []string
	for _, c := range Corruptions() {
		out = append(out, c.Name)
	}
	return out
}

// corruptionByName finds a corruption kind.
func corruptionByName(name string) (Corruption, error) {
	for _, c := range Corruptions() {
		if c.Name == name {
			return c, nil
		}
	}
	return Corruption{}, fmt.Errorf("corruption %q: want one of %s", name, strings.Join(CorruptionNames(), ", "))
}

// DefaultCorruptionSeed is the seed of a corrupted source spec that gives
// none.
const DefaultCorruptionSeed = 1

// corrupter applies one kind at one severity with one seed, image by
// image.
type corrupter struct {
	c       Corruption
	sev     int
	seed    uint64
	kindKey uint64
	img     []float64
}

func newCorrupter(kind string, sev int, seed uint64) (*corrupter, error) {
	c, err := corruptionByName(kind)
	if err != nil {
		return nil, err
	}
	if sev < 1 || sev > CorruptionSeverities {
		return nil, fmt.Errorf("corruption %s: severity %d (want 1 to %d)", kind, sev, CorruptionSeverities)
	}
	return &corrupter{c: c, sev: sev, seed: seed, kindKey: uint64(slices.Index(CorruptionNames(), kind)), img: make([]float64, Pixels)}, nil
}

// apply writes image i of its split (src, Pixels bytes) corrupted to dst,
// from the random stream (seed, kind, severity, i).
func (k *corrupter) apply(i int, src, dst []uint8) {
	for p, v := range src {
		k.img[p] = float64(v) / 255
	}
	k.c.apply(k.img, k.c.Levels[k.sev-1], newRNG(k.seed, 0xC0221, k.kindKey, uint64(k.sev), uint64(i)))
	for p, v := range k.img {
		dst[p] = uint8(math.Round(255 * min(max(v, 0), 1)))
	}
}

// CorruptGray returns a copy of g with every image corrupted by kind at
// severity sev (1-3), image i from the random stream (seed, kind, sev, i):
// the same arguments always give the same bytes.
func CorruptGray(g *GraySet, kind string, sev int, seed uint64) (*GraySet, error) {
	k, err := newCorrupter(kind, sev, seed)
	if err != nil {
		return nil, err
	}
	out := &GraySet{ClassNames: g.ClassNames, Labels: slices.Clone(g.Labels), Pix: make([]uint8, len(g.Pix)),
		Name: fmt.Sprintf("%s %s-%d", g.Name, kind, sev)}
	for i := range g.Labels {
		k.apply(i, g.Pix[i*Pixels:(i+1)*Pixels], out.Pix[i*Pixels:(i+1)*Pixels])
	}
	return out, nil
}

// CorruptPrefix starts a corrupted Fashion-MNIST source:
// "fashion-mnist-c:KIND:SEV" or "fashion-mnist-c:KIND:SEV:SEED".
const CorruptPrefix = "fashion-mnist-c:"

// CorruptSpec is a parsed corrupted source.
type CorruptSpec struct {
	Kind string
	Sev  int
	Seed uint64
}

// String is the source spec.
func (c CorruptSpec) String() string {
	s := fmt.Sprintf("%s%s:%d", CorruptPrefix, c.Kind, c.Sev)
	if c.Seed != DefaultCorruptionSeed {
		s += fmt.Sprintf(":%d", c.Seed)
	}
	return s
}

// ParseCorruptSource reads "fashion-mnist-c:KIND:SEV[:SEED]".
func ParseCorruptSource(spec string) (CorruptSpec, error) {
	rest, ok := strings.CutPrefix(spec, CorruptPrefix)
	if !ok {
		return CorruptSpec{}, fmt.Errorf("%q is not a corrupted source (%sKIND:SEV[:SEED])", spec, CorruptPrefix)
	}
	parts := strings.Split(rest, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return CorruptSpec{}, fmt.Errorf("%q: want %sKIND:SEV[:SEED], KIND one of %s, SEV 1 to %d", spec, CorruptPrefix, strings.Join(CorruptionNames(), ", "), CorruptionSeverities)
	}
	c := CorruptSpec{Kind: parts[0], Seed: DefaultCorruptionSeed}
	if _, err := corruptionByName(c.Kind); err != nil {
		return CorruptSpec{}, fmt.Errorf("%q: %w", spec, err)
	}
	sev, err := strconv.Atoi(parts[1])
	if err != nil || sev < 1 || sev > CorruptionSeverities {
		return CorruptSpec{}, fmt.Errorf("%q: severity %q (want 1 to %d)", spec, parts[1], CorruptionSeverities)
	}
	c.Sev = sev
	if len(parts) == 3 {
		if c.Seed, err = strconv.ParseUint(parts[2], 10, 64); err != nil {
			return CorruptSpec{}, fmt.Errorf("%q: seed %q: %w", spec, parts[2], err)
		}
	}
	return c, nil
}

// openCorruptSource is Fashion-MNIST with both splits corrupted as spec
// says.
func openCorruptSource(spec string) (*IDXSplit, error) {
	c, err := ParseCorruptSource(spec)
	if err != nil {
		return nil, err
	}
	s, err := OpenIDXSource(FashionMNIST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec, err)
	}
	out := &IDXSplit{Dir: s.Dir}
	if out.Train, err = CorruptGray(s.Train, c.Kind, c.Sev, c.Seed); err != nil {
		return nil, err
	}
	if out.Test, err = CorruptGray(s.Test, c.Kind, c.Sev, c.Seed); err != nil {
		return nil, err
	}
	return out, nil
}

func cGaussianNoise(img []float64, sigma float64, r *rng) {
	for i := range img {
		img[i] += sigma * r.norm()
	}
}

func cImpulseNoise(img []float64, p float64, r *rng) {
	for i := range img {
		if r.chance(p) {
			img[i] = float64(r.u64() & 1)
		}
	}
}

func cBlur(img []float64, sigma float64, _ *rng) {
	rad := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*rad+1)
	s := 0.0
	for i := range k {
		d := float64(i - rad)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		s += k[i]
	}
	for i := range k {
		k[i] /= s
	}
	tmp := make([]float64, Pixels)
	for pass := 0; pass < 2; pass++ {
		for y := 0; y < Size; y++ {
			for x := 0; x < Size; x++ {
				v := 0.0
				for i, w := range k {
					xx, yy := x, y
					if pass == 0 {
						xx = min(max(x+i-rad, 0), Size-1)
					} else {
						yy = min(max(y+i-rad, 0), Size-1)
					}
					v += w * img[yy*Size+xx]
				}
				tmp[y*Size+x] = v
			}
		}
		copy(img, tmp)
	}
}

func cContrast(img []float64, c float64, _ *rng) {
	m := 0.0
	for _, v := range img {
		m += v
	}
	m /= float64(len(img))
	for i, v := range img {
		img[i] = (v-m)*c + m
	}
}

func cBrightness(img []float64, b float64, _ *rng) {
	for i := range img {
		img[i] += b
	}
}

// affine resamples img (bilinear, black outside) so that output pixel p
// takes the input at m * (p - centre) + centre, m = [a b; c d].
func affine(img []float64, a, b, c, d, tx, ty float64) {
	src := slices.Clone(img)
	const ctr = (Size - 1) / 2.0
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= Size || y >= Size {
			return 0
		}
		return src[y*Size+x]
	}
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			dx, dy := float64(x)-ctr, float64(y)-ctr
			sx := a*dx + b*dy + ctr - tx
			sy := c*dx + d*dy + ctr - ty
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			ix, iy := int(x0), int(y0)
			img[y*Size+x] = (1-fy)*((1-fx)*at(ix, iy)+fx*at(ix+1, iy)) + fy*((1-fx)*at(ix, iy+1)+fx*at(ix+1, iy+1))
		}
	}
}

func cRotate(img []float64, deg float64, r *rng) {
	t := r.sign() * deg * math.Pi / 180
	cs, sn := math.Cos(t), math.Sin(t)
	affine(img, cs, sn, -sn, cs, 0, 0)
}

func cShear(img []float64, s float64, r *rng) {
	affine(img, 1, r.sign()*s, 0, 1, 0, 0)
}

func cScale(img []float64, f float64, _ *rng) {
	affine(img, 1/f, 0, 0, 1/f, 0, 0)
}

func cTranslate(img []float64, d float64, r *rng) {
	dirs := [8][2]float64{{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}}
	v := dirs[r.intn(8)]
	n := math.Hypot(v[0], v[1])
	affine(img, 1, 0, 0, 1, math.Round(d*v[0]/n), math.Round(d*v[1]/n))
}

func cOcclusion(img []float64, side float64, r *rng) {
	s := int(side)
	// Fashion-MNIST's 28x28 images sit at 2..29: the square lies inside.
	x0 := 2 + r.intn(28-s+1)
	y0 := 2 + r.intn(28-s+1)
	for y := y0; y < y0+s; y++ {
		for x := x0; x < x0+s; x++ {
			img[y*Size+x] = 0.5
		}
	}
}

func cStripes(img []float64, amp float64, r *rng) {
	vertical := r.u64()&1 == 1
	phase := r.intn(4)
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			t := y
			if vertical {
				t = x
			}
			if (t+phase)%4 < 2 {
				img[y*Size+x] += amp
			}
		}
	}
}

// CorruptionSheet draws one corruption kind: a row of the clean images
// (the first of each class of g, up to cols) and one row per severity of
// the same images corrupted with seed.
func CorruptionSheet(g *GraySet, kind string, seed uint64, cols int) (*image.RGBA, error) {
	var idx []int
	seen := map[int]bool{}
	for i, l := range g.Labels {
		if !seen[l] && len(idx) < cols {
			seen[l] = true
			idx = append(idx, i)
		}
	}
	sub := g.Subset(idx)
	rows := []*GraySet{sub}
	for sev := 1; sev <= CorruptionSeverities; sev++ {
		c, err := corruptGrayAt(g, idx, kind, sev, seed)
		if err != nil {
			return nil, err
		}
		rows = append(rows, c)
	}
	rowH := sheetCell + sheetGap
	sheet := newSheet(len(idx), len(rows)*rowH+sheetGap)
	px := make([]float32, Pixels)
	for r, s := range rows {
		y0 := r*rowH + sheetGap
		label := "clean"
		if r > 0 {
			label = fmt.Sprintf("%s %d", kind, r)
		}
		drawLabel(sheet, 4, y0+sheetCell/2+4, label)
		for k := range idx {
			if _, err := s.Image(k, px); err != nil {
				return nil, err
			}
			drawGray2x(sheet, sheetLabelW+k*(sheetCell+sheetGap), y0, px)
		}
	}
	return sheet, nil
}

// corruptGrayAt corrupts the images idx of g as CorruptGray corrupts them
// in the whole set (the random stream follows the index in g).
func corruptGrayAt(g *GraySet, idx []int, kind string, sev int, seed uint64) (*GraySet, error) {
	full, err := CorruptGray(&GraySet{ClassNames: g.ClassNames, Labels: g.Labels[:idx[len(idx)-1]+1], Pix: g.Pix[:(idx[len(idx)-1]+1)*Pixels], Name: g.Name}, kind, sev, seed)
	if err != nil {
		return nil, err
	}
	return full.Subset(idx), nil
}
