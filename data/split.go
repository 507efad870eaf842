package data

import (
	"fmt"
	"math"
)

// SplitMode names how a dataset is split into train and test.
type SplitMode string

const (
	// SplitPre splits the base images first, then augments the train side
	// only; the test side holds the unaugmented base images (no mirrors).
	SplitPre SplitMode = "pre"
	// SplitPost augments every base image (each augmentation with its
	// mirrors), then splits the augmented images: augmentations of one
	// base image, and mirror copies of one augmentation, fall on both
	// sides, as in the paper's "post" split.
	SplitPost SplitMode = "post"
)

// SplitConfig chooses a split.
type SplitConfig struct {
	// Mode is SplitPre or SplitPost.
	Mode SplitMode
	// TrainFrac is the share of each class on the train side (0 = 0.8).
	TrainFrac float64
	// AugPerImage is the number of augmentations per base image; with
	// both mirrors each gives 3 images, so a side of n base images holds
	// n*AugPerImage*3 images. The paper's 1.5M images from 650 base
	// images are AugPerImage ~ 770. 0 means no random augmentation: the
	// train side holds the base images themselves (with Aug's mirror
	// copies, if any).
	AugPerImage int
	// Aug configures the augmentations (zero value: DefaultAugment()).
	Aug AugmentConfig
	// Seed selects the split and the augmentations.
	Seed uint64
}

// Origin tells where an image of a split came from.
type Origin struct {
	Base int // index of the base image in the Base
	Aug  int // augmentation number, -1 for an unaugmented image
	Copy int // CopyPlain, CopyHFlip or CopyVFlip
}

// Traced is a Set that can say where each of its images came from. The
// sets Split returns are Traced.
type Traced interface {
	Set
	Origin(i int) Origin
}

// splitTag separates the split's random streams from others.
const splitTag = 0x73706c6974 // "split"

// Split divides the base images into a train and a test Set, 80/20 by
// default, stratified by class (each class is split in the ratio; a side
// gets round(TrainFrac * n) of a class's n items). Both sets compute their
// images on the fly: memory is the base images plus, for "post", one
// int32 per augmented image.
func Split(b *Base, cfg SplitConfig) (train, test Traced, err error) {
	if err := b.Validate(); err != nil {
		return nil, nil, fmt.Errorf("split: %w", err)
	}
	frac := cfg.TrainFrac
	if frac == 0 {
		frac = 0.8
	}
	if !(frac > 0 && frac < 1) {
		return nil, nil, fmt.Errorf("split: train fraction %v not in (0, 1)", cfg.TrainFrac)
	}
	if cfg.AugPerImage < 0 {
		return nil, nil, fmt.Errorf("split: %d augmentations per image (want >= 0)", cfg.AugPerImage)
	}
	aug, err := NewAugmenter(cfg.Aug)
	if err != nil {
		return nil, nil, fmt.Errorf("split: %w", err)
	}
	byClass := make([][]int, len(b.ClassNames))
	for i, l := range b.Labels {
		byClass[l] = append(byClass[l], i)
	}
	per := max(cfg.AugPerImage, 1) * aug.cfg.Copies()
	orig := cfg.AugPerImage == 0
	switch cfg.Mode {
	case SplitPre:
		var tr, te []int
		for c, idx := range byClass {
			p := newRNG(cfg.Seed, splitTag, uint64(c)).perm(len(idx))
			k := int(math.Round(frac * float64(len(idx))))
			for j, q := range p {
				if j < k {
					tr = append(tr, idx[q])
				} else {
					te = append(te, idx[q])
				}
			}
		}
		if int64(len(tr))*int64(per) > math.MaxInt32 {
			return nil, nil, fmt.Errorf("split: %d x %d images exceed %d", len(tr), per, math.MaxInt32)
		}
		return &AugmentedSet{base: b, bases: tr, per: per, aug: aug, seed: cfg.Seed, orig: orig},
			&BaseView{base: b, idx: te}, nil
	case SplitPost:
		total := int64(b.Len()) * int64(per)
		if total > math.MaxInt32 {
			return nil, nil, fmt.Errorf("split: %d augmented images exceed %d", total, math.MaxInt32)
		}
		all := &AugmentedSet{base: b, bases: make([]int, b.Len()), per: per, aug: aug, seed: cfg.Seed, orig: orig}
		for i := range all.bases {
			all.bases[i] = i
		}
		var tr, te []int32
		for c, idx := range byClass {
			m := len(idx) * per
			p := newRNG(cfg.Seed, splitTag, uint64(c)).perm(m)
			k := int(math.Round(frac * float64(m)))
			for j, q := range p {
				g := int32(idx[int(q)/per]*per + int(q)%per)
				if j < k {
					tr = append(tr, g)
				} else {
					te = append(te, g)
				}
			}
		}
		return &IndexedSet{src: all, idx: tr}, &IndexedSet{src: all, idx: te}, nil
	default:
		return nil, nil, fmt.Errorf("split: mode %q (want %q or %q)", cfg.Mode, SplitPre, SplitPost)
	}
}

// AugmentedSet holds per base image AugPerImage augmentations, each
// followed by its mirror copies, computed on the fly: image i is copy
// i%c of augmentation (i/c)%A of base image i/(c*A), for c copies and A
// augmentations per image.
type AugmentedSet struct {
	base  *Base
	bases []int // base image indices
	per   int   // images per base image (A * copies)
	aug   *Augmenter
	seed  uint64
	orig  bool // no random augmentation: the base images and their mirror copies
}

// NewAugmentedSet augments every image of b (no split): augPerImage
// augmentations of each, with cfg's mirrors; 0 augmentations give the
// images themselves with their mirror copies.
func NewAugmentedSet(b *Base, augPerImage int, cfg AugmentConfig, seed uint64) (*AugmentedSet, error) {
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("augmented set: %w", err)
	}
	aug, err := NewAugmenter(cfg)
	if err != nil {
		return nil, err
	}
	if augPerImage < 0 {
		return nil, fmt.Errorf("augmented set: %d augmentations per image", augPerImage)
	}
	s := &AugmentedSet{base: b, bases: make([]int, b.Len()), per: max(augPerImage, 1) * aug.cfg.Copies(), aug: aug, seed: seed, orig: augPerImage == 0}
	if int64(len(s.bases))*int64(s.per) > math.MaxInt32 {
		return nil, fmt.Errorf("augmented set: %d x %d images exceed %d", len(s.bases), s.per, math.MaxInt32)
	}
	for i := range s.bases {
		s.bases[i] = i
	}
	return s, nil
}

// Len implements Set.
func (s *AugmentedSet) Len() int { return len(s.bases) * s.per }

// Classes implements Set.
func (s *AugmentedSet) Classes() []string { return s.base.ClassNames }

// Origin implements Traced.
func (s *AugmentedSet) Origin(i int) Origin {
	c := s.aug.cfg.Copies()
	if s.aug.cfg.Off {
		return Origin{Base: s.bases[i/s.per], Aug: -1}
	}
	if s.orig {
		return Origin{Base: s.bases[i/s.per], Aug: -1, Copy: i % c}
	}
	return Origin{Base: s.bases[i/s.per], Aug: (i % s.per) / c, Copy: i % c}
}

// Image implements Set.
func (s *AugmentedSet) Image(i int, dst []float32) (int, error) {
	if i < 0 || i >= s.Len() {
		return 0, fmt.Errorf("augmented image %d of %d", i, s.Len())
	}
	o := s.Origin(i)
	if s.orig {
		var g [Pixels]float32
		grayHalf(s.base.RGB[o.Base], g[:])
		mirrorCopy(g[:], o.Copy, dst)
		return s.base.Labels[o.Base], nil
	}
	p := s.aug.Params(s.seed, o.Base, o.Aug)
	if err := s.aug.Apply(s.base.RGB[o.Base], &p, o.Copy, dst); err != nil {
		return 0, fmt.Errorf("augmented image %d (%s): %w", i, s.base.IDs[o.Base], err)
	}
	return s.base.Labels[o.Base], nil
}

// BaseView is a subset of a Base's images, unaugmented.
type BaseView struct {
	base *Base
	idx  []int
}

// Len implements Set.
func (v *BaseView) Len() int { return len(v.idx) }

// Classes implements Set.
func (v *BaseView) Classes() []string { return v.base.ClassNames }

// Image implements Set.
func (v *BaseView) Image(i int, dst []float32) (int, error) {
	if i < 0 || i >= len(v.idx) {
		return 0, fmt.Errorf("image %d of %d", i, len(v.idx))
	}
	return v.base.Image(v.idx[i], dst)
}

// Origin implements Traced.
func (v *BaseView) Origin(i int) Origin { return Origin{Base: v.idx[i], Aug: -1} }

// IndexedSet is a subset of an AugmentedSet, by index.
type IndexedSet struct {
	src *AugmentedSet
	idx []int32
}

// Len implements Set.
func (s *IndexedSet) Len() int { return len(s.idx) }

// Classes implements Set.
func (s *IndexedSet) Classes() []string { return s.src.Classes() }

// Image implements Set.
func (s *IndexedSet) Image(i int, dst []float32) (int, error) {
	if i < 0 || i >= len(s.idx) {
		return 0, fmt.Errorf("image %d of %d", i, len(s.idx))
	}
	return s.src.Image(int(s.idx[i]), dst)
}

// Origin implements Traced.
func (s *IndexedSet) Origin(i int) Origin { return s.src.Origin(int(s.idx[i])) }

// SplitShipped is the split of an IDX data set: its train and test files
// as shipped (recorded in run.json; Split itself takes pre or post).
const SplitShipped SplitMode = "shipped"

// String is the mode's name.
func (m SplitMode) String() string { return string(m) }

// Set reads "pre" or "post" (a command-line flag value).
func (m *SplitMode) Set(v string) error {
	switch SplitMode(v) {
	case SplitPre, SplitPost:
		*m = SplitMode(v)
		return nil
	}
	return fmt.Errorf("split %q: want %s or %s", v, SplitPre, SplitPost)
}

// Type names the flag value's kind.
func (m *SplitMode) Type() string { return "split" }

// UnmarshalText reads a recorded mode: pre, post, shipped or "".
func (m *SplitMode) UnmarshalText(b []byte) error {
	switch v := SplitMode(b); v {
	case "", SplitShipped:
		*m = v
		return nil
	}
	return m.Set(string(b))
}
