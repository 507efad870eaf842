package data

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"sync"
	"testing"
)

// cache of generated sets shared by the tests of this package (they only
// read them).
var (
	setsMu sync.Mutex
	sets   = map[[3]uint64]*Base{}
)

// textures returns a built-in set, generated once per (kind, perClass, seed).
func textures(t testing.TB, kind SetKind, per int, seed uint64) *Base {
	t.Helper()
	k := [3]uint64{0, uint64(per), seed}
	if kind == GenSet {
		k[0] = 1
	}
	setsMu.Lock()
	defer setsMu.Unlock()
	if b, ok := sets[k]; ok {
		return b
	}
	b, err := Textures(context.Background(), TextureConfig{Set: kind, PerClass: per, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	sets[k] = b
	return b
}

// hashSet hashes every image and label of a set.
func hashSet(t *testing.T, s Set) [32]byte {
	t.Helper()
	h := sha256.New()
	px := make([]float32, Pixels)
	var buf [4]byte
	for i := 0; i < s.Len(); i++ {
		l, err := s.Image(i, px)
		if err != nil {
			t.Fatal(err)
		}
		binary.LittleEndian.PutUint32(buf[:], uint32(l))
		h.Write(buf[:])
		for _, v := range px {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(v))
			h.Write(buf[:])
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// flatBase returns a one-image Base of a constant colour.
func flatBase(r, g, b uint8) *Base {
	p := make([]uint8, BasePix)
	for i := 0; i < len(p); i += 3 {
		p[i], p[i+1], p[i+2] = r, g, b
	}
	return &Base{ClassNames: []string{"a", "b"}, RGB: [][]uint8{p}, Labels: []int{0}, IDs: []string{"a/0"}}
}
