package jpegdc

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

// TestBlockMeans: each pixel of the 1/8 decode is the mean of its 8x8
// block in the full decode (to rounding: within 2 levels), for 4:2:0
// colour, gray and progressive-free baseline files of sizes that are not
// multiples of 8.
func TestBlockMeans(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, gray := range []bool{false, true} {
		w, h := 203, 117
		var src image.Image
		if gray {
			g := image.NewGray(image.Rect(0, 0, w, h))
			for i := range g.Pix {
				g.Pix[i] = uint8(i%w + rng.IntN(40))
			}
			src = g
		} else {
			c := image.NewRGBA(image.Rect(0, 0, w, h))
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					c.SetRGBA(x, y, color.RGBA{uint8(x), uint8(y * 2), uint8(rng.IntN(255)), 255})
				}
			}
			src = c
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 85}); err != nil {
			t.Fatal(err)
		}
		full, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		small, err := Decode(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if b := small.Bounds(); b.Dx() != (w+7)/8 || b.Dy() != (h+7)/8 {
			t.Fatalf("gray %v: 1/8 decode of %dx%d is %v", gray, w, h, b)
		}
		worst := 0
		for by := 0; by < h/8; by++ {
			for bx := 0; bx < w/8; bx++ {
				// Compare luma (Y of YCbCr, or gray) block means.
				var s int
				for y := 0; y < 8; y++ {
					for x := 0; x < 8; x++ {
						s += int(lumaOf(full, 8*bx+x, 8*by+y))
					}
				}
				d := int(lumaOf(small, bx, by)) - (s+32)/64
				worst = max(worst, d, -d)
			}
		}
		if worst > 2 {
			t.Fatalf("gray %v: a 1/8 pixel differs from its block mean by %d levels", gray, worst)
		}
	}
}

func lumaOf(m image.Image, x, y int) uint8 {
	switch m := m.(type) {
	case *image.YCbCr:
		return m.Y[m.YOffset(x, y)]
	case *image.Gray:
		return m.GrayAt(x, y).Y
	}
	panic("unexpected image type")
}
