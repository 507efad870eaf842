package data

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
)

func hashOf(t *testing.T, s Set) string {
	t.Helper()
	h := sha256.New()
	if err := HashSet(h, s); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestHashSet: the hash of a split follows its base images' content, and
// sets that are not made from a Base are hashed image by image.
func TestHashSet(t *testing.T) {
	b := &Base{ClassNames: []string{"a", "b"}}
	for i := 0; i < 10; i++ {
		px := make([]uint8, BasePix)
		px[i] = 200
		b.RGB = append(b.RGB, px)
		b.Labels = append(b.Labels, i%2)
		b.IDs = append(b.IDs, string(rune('a'+i)))
	}
	tr, te, err := Split(b, SplitConfig{Mode: SplitPre, AugPerImage: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	h1, h2 := hashOf(t, tr), hashOf(t, te)
	if h1 == h2 {
		t.Fatal("train and test sets of different sizes hash alike")
	}
	if hashOf(t, tr) != h1 {
		t.Fatal("hash not deterministic")
	}
	b.RGB[3][17] ^= 1
	if hashOf(t, tr) == h1 || hashOf(t, te) == h2 {
		t.Fatal("one changed pixel of a base image left the hash unchanged")
	}
	m := &MemSet{ClassNames: []string{"a"}, Images: [][]float32{make([]float32, Pixels)}, Labels: []int{0}}
	hm := hashOf(t, m)
	m.Images[0][5] = 0.5
	if hashOf(t, m) == hm {
		t.Fatal("a changed MemSet image left the hash unchanged")
	}
}
