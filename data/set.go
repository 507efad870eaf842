package data

import "fmt"

// Size is the side of every image lsconf feeds its models: grayscale
// Size x Size, float32 in [0, 1], row-major.
const Size = 32

// Pixels is the number of values of one image (Size*Size).
const Pixels = Size * Size

// Set is an indexable, deterministic collection of labelled images: the
// same index always gives the same pixels. Augmented sets compute their
// images on the fly from their seed, so a Set of a million images need not
// hold them in memory. Implementations are safe for concurrent use.
type Set interface {
	// Len is the number of images.
	Len() int
	// Classes are the class names, index = label.
	Classes() []string
	// Image writes image i (Pixels float32 in [0, 1]) into dst, which has
	// length Pixels, and returns its label.
	Image(i int, dst []float32) (label int, err error)
}

// MemSet is a Set held in memory.
type MemSet struct {
	ClassNames []string
	Images     [][]float32 // each of length Pixels
	Labels     []int
}

// Len implements Set.
func (m *MemSet) Len() int { return len(m.Images) }

// Classes implements Set.
func (m *MemSet) Classes() []string { return m.ClassNames }

// Image implements Set.
func (m *MemSet) Image(i int, dst []float32) (int, error) {
	if i < 0 || i >= len(m.Images) {
		return 0, fmt.Errorf("image %d of %d", i, len(m.Images))
	}
	copy(dst, m.Images[i])
	return m.Labels[i], nil
}
