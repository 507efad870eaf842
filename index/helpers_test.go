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

// memSet is an in-memory index.Set (data.MemSet's shape).
type memSet struct {
	classes []string
	images  [][]float32
	labels  []int
}

func (m *memSet) Len() int          { return len(m.images) }
func (m *memSet) Classes() []string { return m.classes }
func (m *memSet) Image(i int, dst []float32) (int, error) {
	copy(dst, m.images[i])
	return m.labels[i], nil
}
