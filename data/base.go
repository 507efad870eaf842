package data

import (
	"fmt"
	"image"
)

// BaseSize is the side of base images: the colour images a dataset starts
// from, before augmentation, colour jitter and grayscale. Built-in textures
// are rendered at 128x128 and area-averaged to BaseSize; loaded images are
// resized to it. Augmentations sample the base image at twice the output
// resolution, so a base image holds the detail the 32x32 output can show.
const BaseSize = 64

// BasePix is the number of bytes of one base image (RGB, 8 bits each).
const BasePix = BaseSize * BaseSize * 3

// Base is a labelled collection of colour base images, held in memory
// (650 built-in images take 8 MB). As a Set it yields each image without
// augmentation: area-averaged to Size x Size and converted to grayscale
// (luma 0.299 R + 0.587 G + 0.114 B).
type Base struct {
	// ClassNames are the class names, index = label.
	ClassNames []string
	// RGB holds one base image per entry: BaseSize*BaseSize pixels, row
	// major, 3 bytes (R, G, B) each.
	RGB [][]uint8
	// Labels are the class indices of the images.
	Labels []int
	// IDs name the images: "<class>/<n>" for generated images, the path
	// relative to the folder for loaded ones.
	IDs []string
}

// Len implements Set.
func (b *Base) Len() int { return len(b.RGB) }

// Classes implements Set.
func (b *Base) Classes() []string { return b.ClassNames }

// Image implements Set: the unaugmented grayscale Size x Size image i.
func (b *Base) Image(i int, dst []float32) (int, error) {
	if i < 0 || i >= len(b.RGB) {
		return 0, fmt.Errorf("image %d of %d", i, len(b.RGB))
	}
	if len(dst) < Pixels {
		return 0, fmt.Errorf("image %d: destination holds %d values, need %d", i, len(dst), Pixels)
	}
	if len(b.RGB[i]) != BasePix {
		return 0, fmt.Errorf("image %d: %d bytes, want %d", i, len(b.RGB[i]), BasePix)
	}
	grayHalf(b.RGB[i], dst)
	return b.Labels[i], nil
}

// Counts returns the number of images of each class.
func (b *Base) Counts() []int {
	c := make([]int, len(b.ClassNames))
	for _, l := range b.Labels {
		if l >= 0 && l < len(c) {
			c[l]++
		}
	}
	return c
}

// Validate checks the collection's invariants: lengths agree, every image
// has BasePix bytes, every label names a class.
func (b *Base) Validate() error {
	if len(b.Labels) != len(b.RGB) || len(b.IDs) != len(b.RGB) {
		return fmt.Errorf("base set: %d images, %d labels, %d ids", len(b.RGB), len(b.Labels), len(b.IDs))
	}
	for i, p := range b.RGB {
		if len(p) != BasePix {
			return fmt.Errorf("base image %d (%s): %d bytes, want %d", i, b.IDs[i], len(p), BasePix)
		}
		if l := b.Labels[i]; l < 0 || l >= len(b.ClassNames) {
			return fmt.Errorf("base image %d (%s): label %d outside the %d classes", i, b.IDs[i], l, len(b.ClassNames))
		}
	}
	return nil
}

// Subset returns the base images at the given indices (sharing pixels).
func (b *Base) Subset(idx []int) *Base {
	s := &Base{ClassNames: b.ClassNames}
	for _, i := range idx {
		s.RGB = append(s.RGB, b.RGB[i])
		s.Labels = append(s.Labels, b.Labels[i])
		s.IDs = append(s.IDs, b.IDs[i])
	}
	return s
}

// RGBA returns base image i as an image (for PNG files and sheets).
func (b *Base) RGBA(i int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, BaseSize, BaseSize))
	p := b.RGB[i]
	for k := 0; k < BaseSize*BaseSize; k++ {
		img.Pix[4*k] = p[3*k]
		img.Pix[4*k+1] = p[3*k+1]
		img.Pix[4*k+2] = p[3*k+2]
		img.Pix[4*k+3] = 255
	}
	return img
}

// Luma weights (ITU-R BT.601, as PIL's "L" mode and torchvision's
// Grayscale).
const (
	lumaR = 0.299
	lumaG = 0.587
	lumaB = 0.114
)

// grayHalf writes the Size x Size grayscale of a base image: each output
// pixel is the luma of the mean of its 2x2 block of base pixels.
func grayHalf(p []uint8, dst []float32) {
	const row = BaseSize * 3
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			o := 2*y*row + 2*x*3
			r := int(p[o]) + int(p[o+3]) + int(p[o+row]) + int(p[o+row+3])
			g := int(p[o+1]) + int(p[o+4]) + int(p[o+row+1]) + int(p[o+row+4])
			bl := int(p[o+2]) + int(p[o+5]) + int(p[o+row+2]) + int(p[o+row+5])
			v := (lumaR*float64(r) + lumaG*float64(g) + lumaB*float64(bl)) / (4 * 255)
			dst[y*Size+x] = float32(min(max(v, 0), 1))
		}
	}
}
