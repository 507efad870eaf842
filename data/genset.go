package data

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
)

// renderGen renders one image of the generalization set, like a clothing
// crop from a small, poor person-camera image (Market1501): the scene is
// rendered at a native resolution of 16-28 pixels with dim, colour-cast,
// uneven lighting and washed-out contrast; the crop may include the edge of
// the person (background, an arm, hair, another garment); then lens blur,
// strong sensor noise, JPEG compression at a low quality with its 8x8
// blocks at a random offset, and a bilinear upscale to the base size with
// more blur.
func renderGen(r *rng, class string) []uint8 {
	L := 16 + r.intn(13)
	native := float64(L)
	// The smallest period that survives the native resolution.
	minP := 2.6 * Size / native
	st := style{
		stripeMin: max(5, minP), stripeMax: 14,
		checkMin: max(2.8, minP/2), checkMax: 8,
		dotMin: max(5, minP), dotMax: 12,
		contrastMin: 0.2, contrastMax: 0.6,
		aa: Size / (2 * native),
	}
	pal := newPalette(r, 0.08, 0.75)
	pat := newPattern(r, pal, st, class)
	cfg := sceneConfig{
		rotMax: 12, foldWeights: []float64{0.3, 0.35, 0.25, 0.1}, foldAmpMax: 0.35,
		printP: 0.08, maxSpecks: 2, gradMax: 0.5, tintMax: 0.25, expoMin: 0.5, expoMax: 1.0,
	}
	if class == "uniform" {
		cfg.foldWeights = []float64{0.1, 0.4, 0.3, 0.2}
		cfg.printP = 0.35
	}
	sc := newScene(r, pat, pal, cfg)
	img := resizeArea(sc.render(2*L), 2*L, 2*L, 3, L, L)
	// Washed out: the camera compresses the tonal range.
	lift, gain := r.uniform(0.03, 0.15), r.uniform(0.6, 0.9)
	for i, v := range img {
		img[i] = float32(lift) + float32(gain)*v
	}
	if r.chance(0.65) {
		personBorder(r, img, L)
	}
	blur(img, L, L, 3, r.uniform(0.2, 0.6))
	addNoise(r, img, r.uniform(0.008, 0.025), 1)
	img = jpegRoundTrip(img, L, r.intn(8), r.intn(8), 20+r.intn(31))
	img = resizeBilinear(img, L, L, 3, BaseSize, BaseSize)
	blur(img, BaseSize, BaseSize, 3, r.uniform(0.3, 0.9))
	return toBytes(img)
}

// personBorder paints the edge of the person into a crop of side L: on one
// side (sometimes two), beyond a slanted, slightly bent boundary 8-25% in,
// lies background, skin, hair or another garment.
func personBorder(r *rng, img []float32, L int) {
	sides := []int{r.intn(4)}
	if r.chance(0.25) {
		sides = append(sides, (sides[0]+1+r.intn(3))%4)
	}
	for _, side := range sides {
		var col rgb
		switch r.pick(0.4, 0.25, 0.15, 0.2) {
		case 0: // street, wall, floor
			col = withLuma(r.uniform(0.05, 0.6), r.uniform(0, 0.15), r.uniform(0.15, 0.7))
		case 1: // skin
			col = withLuma(r.uniform(0.03, 0.1), r.uniform(0.25, 0.5), r.uniform(0.2, 0.65))
		case 2: // hair
			col = withLuma(r.uniform(0.05, 0.1), r.uniform(0.1, 0.4), r.uniform(0.03, 0.15))
		default: // another garment
			h, s := garmentHueSat(r)
			col = withLuma(h, s, r.uniform(0.05, 0.8))
		}
		depth := r.uniform(0.08, 0.25) * float64(L)
		slope := r.uniform(-0.25, 0.25)
		bend := r.uniform(-0.02, 0.02)
		grad := r.uniform(-0.3, 0.3)
		for y := 0; y < L; y++ {
			for x := 0; x < L; x++ {
				// a: depth into the crop from the side; t: along the side.
				var a, t float64
				fx, fy := float64(x)+0.5, float64(y)+0.5
				switch side {
				case 0:
					a, t = fx, fy
				case 1:
					a, t = float64(L)-fx, fy
				case 2:
					a, t = fy, fx
				default:
					a, t = float64(L)-fy, fx
				}
				t -= float64(L) / 2
				edge := depth + slope*t + bend*t*t
				k := coverStep(edge-a, 1)
				if k == 0 {
					continue
				}
				c := col.scale(1 + grad*t/float64(L))
				o := (y*L + x) * 3
				for ch := 0; ch < 3; ch++ {
					img[o+ch] += float32(k) * (float32(c[ch]) - img[o+ch])
				}
			}
		}
	}
}

// jpegRoundTrip compresses an L x L float RGB image with the standard
// library's JPEG encoder (4:2:0 chroma) at the given quality, placed at
// offset (ox, oy) in a larger canvas (edges repeated) so that the 8x8
// blocks do not line up with the crop, and returns the decoded crop.
func jpegRoundTrip(img []float32, L, ox, oy, quality int) []float32 {
	W := L + ox + 8
	canvas := image.NewRGBA(image.Rect(0, 0, W, W))
	for y := 0; y < W; y++ {
		sy := clampInt(y-oy, 0, L-1)
		for x := 0; x < W; x++ {
			sx := clampInt(x-ox, 0, L-1)
			o := (sy*L + sx) * 3
			p := canvas.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				canvas.Pix[p+c] = uint8(min(max(math.Round(float64(img[o+c])*255), 0), 255))
			}
			canvas.Pix[p+3] = 255
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, canvas, &jpeg.Options{Quality: quality}); err != nil {
		return img // cannot happen for an in-memory RGBA image
	}
	dec, err := jpeg.Decode(&buf)
	if err != nil {
		return img
	}
	out := make([]float32, L*L*3)
	for y := 0; y < L; y++ {
		for x := 0; x < L; x++ {
			cr, cg, cb, _ := dec.At(x+ox, y+oy).RGBA()
			o := (y*L + x) * 3
			out[o], out[o+1], out[o+2] = float32(cr)/65535, float32(cg)/65535, float32(cb)/65535
		}
	}
	return out
}
