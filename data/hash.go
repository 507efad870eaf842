package data

import (
	"encoding/binary"
	"fmt"
	"hash"
	"math"
)

// HashSet writes what identifies a set's content to h, cheaply: for sets
// made from a Base (a Base, Split's and NewAugmentedSet's sets) the Base's
// class names and every base image's id, label and pixels, and the set's
// length (the augmentations are a function of them and of the settings a
// run records); for any other Set every image's pixels and label.
func HashSet(h hash.Hash, s Set) error {
	if b := baseOf(s); b != nil {
		fmt.Fprintf(h, "base set of %d images, classes %q, %d base images\n", s.Len(), b.ClassNames, b.Len())
		for i, px := range b.RGB {
			id := ""
			if i < len(b.IDs) {
				id = b.IDs[i]
			}
			fmt.Fprintf(h, "%q %d %d\n", id, b.Labels[i], len(px))
			h.Write(px)
		}
		return nil
	}
	fmt.Fprintf(h, "set of %d images, classes %q\n", s.Len(), s.Classes())
	px := make([]float32, Pixels)
	buf := make([]byte, 4*Pixels+8)
	for i := 0; i < s.Len(); i++ {
		label, err := s.Image(i, px)
		if err != nil {
			return fmt.Errorf("image %d: %w", i, err)
		}
		for k, x := range px {
			binary.LittleEndian.PutUint32(buf[4*k:], math.Float32bits(x))
		}
		binary.LittleEndian.PutUint64(buf[4*Pixels:], uint64(int64(label)))
		h.Write(buf)
	}
	return nil
}

// baseOf is the Base a set's images are computed from, or nil.
func baseOf(s Set) *Base {
	switch v := s.(type) {
	case *Base:
		return v
	case *BaseView:
		return v.base
	case *AugmentedSet:
		return v.base
	case *IndexedSet:
		return v.src.base
	}
	return nil
}
