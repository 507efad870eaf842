package data

import (
	"fmt"
	"math"
)

// GraySet is a labelled set of grayscale Size x Size images held as bytes
// (1 KB an image: the 70,000 images of Fashion-MNIST take 72 MB), as read
// from IDX files. It is a Set of its images as they are.
type GraySet struct {
	ClassNames []string
	Pix        []uint8 // Len()*Pixels bytes, image after image
	Labels     []int
	Name       string // for messages and IDs ("train", "t10k")
}

// Len implements Set.
func (g *GraySet) Len() int { return len(g.Labels) }

// Classes implements Set.
func (g *GraySet) Classes() []string { return g.ClassNames }

// Image implements Set.
func (g *GraySet) Image(i int, dst []float32) (int, error) {
	if i < 0 || i >= len(g.Labels) {
		return 0, fmt.Errorf("%s image %d of %d", g.Name, i, len(g.Labels))
	}
	if len(dst) < Pixels {
		return 0, fmt.Errorf("%s image %d: destination holds %d values, need %d", g.Name, i, len(dst), Pixels)
	}
	for k, v := range g.Pix[i*Pixels : (i+1)*Pixels] {
		dst[k] = float32(v) / 255
	}
	return g.Labels[i], nil
}

// Subset returns the images at idx (copied).
func (g *GraySet) Subset(idx []int) *GraySet {
	s := &GraySet{ClassNames: g.ClassNames, Name: g.Name, Pix: make([]uint8, 0, len(idx)*Pixels), Labels: make([]int, 0, len(idx))}
	for _, i := range idx {
		s.Pix = append(s.Pix, g.Pix[i*Pixels:(i+1)*Pixels]...)
		s.Labels = append(s.Labels, g.Labels[i])
	}
	return s
}

// GrayAugmentedSet is a GraySet augmented on the fly: per image A
// augmentations (A = 0: the image itself), each followed by the
// configuration's mirror copies. Image i is copy i%c of augmentation
// (i/c)%A of image i/(c*A). Colour jitter acts on gray as brightness and
// contrast (saturation and hue do not change a gray pixel).
type GrayAugmentedSet struct {
	src  *GraySet
	per  int
	orig bool
	aug  *Augmenter
	seed uint64
}

// NewGrayAugmentedSet augments every image of g: augPerImage
// augmentations with cfg's mirrors (0: the images with their mirror
// copies only).
func NewGrayAugmentedSet(g *GraySet, augPerImage int, cfg AugmentConfig, seed uint64) (*GrayAugmentedSet, error) {
	aug, err := NewAugmenter(cfg)
	if err != nil {
		return nil, err
	}
	if augPerImage < 0 {
		return nil, fmt.Errorf("augmented set: %d augmentations per image", augPerImage)
	}
	s := &GrayAugmentedSet{src: g, per: max(augPerImage, 1) * aug.cfg.Copies(), orig: augPerImage == 0 || aug.cfg.Off, aug: aug, seed: seed}
	if int64(g.Len())*int64(s.per) > math.MaxInt32 {
		return nil, fmt.Errorf("augmented set: %d x %d images exceed %d", g.Len(), s.per, math.MaxInt32)
	}
	return s, nil
}

// Len implements Set.
func (s *GrayAugmentedSet) Len() int { return s.src.Len() * s.per }

// Classes implements Set.
func (s *GrayAugmentedSet) Classes() []string { return s.src.ClassNames }

// Origin implements Traced.
func (s *GrayAugmentedSet) Origin(i int) Origin {
	c := s.aug.cfg.Copies()
	if s.orig {
		return Origin{Base: i / s.per, Aug: -1, Copy: i % c}
	}
	return Origin{Base: i / s.per, Aug: (i % s.per) / c, Copy: i % c}
}

// Image implements Set.
func (s *GrayAugmentedSet) Image(i int, dst []float32) (int, error) {
	if i < 0 || i >= s.Len() {
		return 0, fmt.Errorf("augmented image %d of %d", i, s.Len())
	}
	if len(dst) < Pixels {
		return 0, fmt.Errorf("augmented image %d: destination holds %d values, need %d", i, len(dst), Pixels)
	}
	o := s.Origin(i)
	var flat, gray [Pixels]float32
	label, err := s.src.Image(o.Base, flat[:])
	if err != nil {
		return 0, err
	}
	if s.orig {
		mirrorCopy(flat[:], o.Copy, dst)
		return label, nil
	}
	p := s.aug.Params(s.seed, o.Base, o.Aug)
	grayJitter(flat[:], &p)
	warp(flat[:], geometry(&p), s.aug.cfg.Border == "reflect", gray[:])
	if p.Erase {
		erase(gray[:], &p, s.aug.cfg.EraseFill)
	}
	mirrorCopy(gray[:], o.Copy, dst)
	return label, nil
}

// grayJitter applies p's brightness and contrast to a gray image in p's
// order, clamping after each (ColorJitter on a gray image).
func grayJitter(g []float32, p *AugParams) {
	for _, op := range p.JitterOrder {
		switch op {
		case 0:
			f := float32(p.Brightness)
			for i, v := range g {
				g[i] = clamp01(v * f)
			}
		case 1:
			var sum float64
			for _, v := range g {
				sum += float64(v)
			}
			f := float32(p.Contrast)
			m := (1 - f) * float32(sum/float64(len(g)))
			for i, v := range g {
				g[i] = clamp01(f*v + m)
			}
		}
	}
}
