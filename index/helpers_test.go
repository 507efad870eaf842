package index_test

import (
	"image"
	"image/color"
)

// newHalf is a w x h RGBA image, black on the left half, white on the right.
func newHalf(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{A: 255}
			if x >= w/2 {
				c = color.RGBA{255, 255, 255, 255}
			}
			img.Set(x, y, c)
		}
	}
	return img
}
