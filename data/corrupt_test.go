package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// garmentSet is a small GraySet of bright blobs on black, like
// Fashion-MNIST's garments centred on 32x32.
func garmentSet(n int) *GraySet {
	g := &GraySet{ClassNames: []string{"a", "b"}, Name: "test", Pix: make([]uint8, n*Pixels), Labels: make([]int, n)}
	r := newRNG(42)
	for i := 0; i < n; i++ {
		g.Labels[i] = i % 2
		w, h := 6+r.intn(8), 6+r.intn(8)
		for y := 16 - h; y < 16+h; y++ {
			for x := 16 - w; x < 16+w; x++ {
				g.Pix[i*Pixels+y*Size+x] = uint8(120 + r.intn(120))
			}
		}
	}
	return g
}

func meanAbsDiff(a, b []uint8) float64 {
	s := 0.0
	for i := range a {
		s += math.Abs(float64(a[i]) - float64(b[i]))
	}
	return s / float64(len(a)) / 255
}

// TestCorruptionsDeterministicAndGraded checks every kind at every
// severity: the same seed gives the same bytes, the images change, a
// higher severity changes them more (on average over the set), labels
// are kept, and the random kinds depend on the seed.
func TestCorruptionsDeterministicAndGraded(t *testing.T) {
	g := garmentSet(40)
	if n := len(Corruptions()); n < 8 {
		t.Fatalf("%d corruption kinds, want at least 8", n)
	}
	random := map[string]bool{"gaussian-noise": true, "impulse-noise": true, "rotate": true, "shear": true, "translate": true, "occlusion": true, "stripes": true}
	for _, c := range Corruptions() {
		prev := 0.0
		for sev := 1; sev <= CorruptionSeverities; sev++ {
			a, err := CorruptGray(g, c.Name, sev, 5)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := CorruptGray(g, c.Name, sev, 5)
			if string(a.Pix) != string(b.Pix) {
				t.Errorf("%s-%d: two calls with seed 5 differ", c.Name, sev)
			}
			d := meanAbsDiff(a.Pix, g.Pix)
			if d <= prev || d < 0.005 {
				t.Errorf("%s-%d: mean change %.4f, severity %d changed %.4f", c.Name, sev, d, sev-1, prev)
			}
			prev = d
			if a.Len() != g.Len() || a.Labels[3] != g.Labels[3] {
				t.Errorf("%s-%d: labels not kept", c.Name, sev)
			}
			if random[c.Name] {
				o, _ := CorruptGray(g, c.Name, sev, 6)
				if string(o.Pix) == string(a.Pix) {
					t.Errorf("%s-%d: seeds 5 and 6 give the same bytes", c.Name, sev)
				}
			}
		}
	}
	if _, err := CorruptGray(g, "blur", 4, 1); err == nil {
		t.Error("severity 4 accepted")
	}
	if _, err := CorruptGray(g, "fog", 1, 1); err == nil {
		t.Error("unknown kind accepted")
	}
}

// TestCorruptionBytesPinned pins the bytes of one set of every kind and
// severity to a hash: a change of any corruption (or of the random
// streams) shows here. Float rounding may differ on other architectures.
func TestCorruptionBytesPinned(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("hash pinned on amd64")
	}
	g := garmentSet(12)
	h := sha256.New()
	for _, c := range Corruptions() {
		for sev := 1; sev <= CorruptionSeverities; sev++ {
			a, err := CorruptGray(g, c.Name, sev, DefaultCorruptionSeed)
			if err != nil {
				t.Fatal(err)
			}
			h.Write(a.Pix)
		}
	}
	const want = "ef22364cdb7ac16d"
	if got := hex.EncodeToString(h.Sum(nil))[:16]; got != want {
		t.Errorf("corrupted bytes hash %s, pinned %s", got, want)
	}
}

func TestParseCorruptSource(t *testing.T) {
	c, err := ParseCorruptSource("fashion-mnist-c:blur:2")
	if err != nil || c.Kind != "blur" || c.Sev != 2 || c.Seed != DefaultCorruptionSeed || c.String() != "fashion-mnist-c:blur:2" {
		t.Errorf("parse: %+v %v", c, err)
	}
	c, err = ParseCorruptSource("fashion-mnist-c:rotate:3:9")
	if err != nil || c.Seed != 9 || c.String() != "fashion-mnist-c:rotate:3:9" {
		t.Errorf("parse with seed: %+v %v", c, err)
	}
	for _, bad := range []string{"fashion-mnist-c:blur", "fashion-mnist-c:blur:0", "fashion-mnist-c:fog:1", "fashion-mnist-c:blur:1:x", "fashion-mnist"} {
		if _, err := ParseCorruptSource(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if !IsIDXSource("fashion-mnist-c:blur:1") {
		t.Error("a corrupted source is not an IDX source")
	}
}

// TestImportCorruptSource writes one image per class of a corrupted
// Fashion-MNIST test split with lsconf data import's function: the files
// load back as the corrupted set's images (skipped without Fashion-MNIST).
func TestImportCorruptSource(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skip("Fashion-MNIST is not installed")
	}
	const spec = "fashion-mnist-c:rotate:2"
	out := filepath.Join(t.TempDir(), "tree")
	if _, err := ImportIDX(context.Background(), spec, "test", 1, out, false, nil); err != nil {
		t.Fatal(err)
	}
	s, err := OpenIDXSource(spec)
	if err != nil {
		t.Fatal(err)
	}
	want := s.Test.FirstPerClass(1)
	b, _, err := LoadImageFolder(context.Background(), out, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != want.Len() {
		t.Fatalf("imported %d images, want %d", b.Len(), want.Len())
	}
	w, g := make([]float32, Pixels), make([]float32, Pixels)
	for i := range want.Len() {
		lw, _ := want.Image(i, w)
		for j := range b.Len() {
			if lg, _ := b.Image(j, g); b.ClassNames[lg] == want.ClassNames[lw] {
				for k := range g {
					if math.Abs(float64(g[k]-w[k])) > 1e-6 {
						t.Fatalf("class %s pixel %d: imported %v, corrupted set %v", want.ClassNames[lw], k, g[k], w[k])
					}
				}
			}
		}
	}
	clean, _ := OpenIDXSource(FashionMNIST)
	if meanAbsDiff(clean.Test.FirstPerClass(1).Pix, want.Pix) < 0.01 {
		t.Error("the imported corrupted images equal the clean ones")
	}
}
