package data

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeIDXSet writes a small MNIST-style data set into dir: n train and m
// test images of side h x w, pixel (y, x) of image i = (i*7 + y*w + x) % 256,
// label i % nc; gzipped when gz.
func writeIDXSet(t *testing.T, dir string, n, m, h, w, nc int, gz bool) {
	t.Helper()
	for _, part := range []struct {
		prefix string
		n      int
	}{{"train", n}, {"t10k", m}} {
		pix := make([]uint8, part.n*h*w)
		lab := make([]uint8, part.n)
		for i := 0; i < part.n; i++ {
			lab[i] = uint8(i % nc)
			for k := 0; k < h*w; k++ {
				pix[i*h*w+k] = uint8((i*7 + k) % 256)
			}
		}
		for _, f := range []struct {
			kind string
			dims []int
			data []uint8
		}{{"images-idx3-ubyte", []int{part.n, h, w}, pix}, {"labels-idx1-ubyte", []int{part.n}, lab}} {
			var buf bytes.Buffer
			if err := EncodeIDX(&buf, f.dims, f.data); err != nil {
				t.Fatal(err)
			}
			name := filepath.Join(dir, part.prefix+"-"+f.kind)
			b := buf.Bytes()
			if gz {
				var z bytes.Buffer
				zw := gzip.NewWriter(&z)
				zw.Write(b)
				zw.Close()
				b, name = z.Bytes(), name+".gz"
			}
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestIDXDirPadsAndLabels(t *testing.T) {
	for _, gz := range []bool{false, true} {
		dir := t.TempDir()
		writeIDXSet(t, dir, 30, 12, 28, 28, 3, gz)
		s, err := LoadIDXDir(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.Train.Len() != 30 || s.Test.Len() != 12 {
			t.Fatalf("gz %v: %d train, %d test images, want 30, 12", gz, s.Train.Len(), s.Test.Len())
		}
		if got := strings.Join(s.Train.Classes(), ","); got != "0,1,2" {
			t.Fatalf("classes %q", got)
		}
		img := make([]float32, Pixels)
		for _, i := range []int{0, 5, 29} {
			l, err := s.Train.Image(i, img)
			if err != nil {
				t.Fatal(err)
			}
			if l != i%3 {
				t.Fatalf("image %d: label %d, want %d", i, l, i%3)
			}
			for y := 0; y < Size; y++ {
				for x := 0; x < Size; x++ {
					want := float32(0)
					if y >= 2 && y < 30 && x >= 2 && x < 30 {
						want = float32(uint8((i*7+(y-2)*28+(x-2))%256)) / 255
					}
					if img[y*Size+x] != want {
						t.Fatalf("gz %v image %d (%d,%d): %v, want %v (28x28 centred with 2 black pixels each side)", gz, i, x, y, img[y*Size+x], want)
					}
				}
			}
		}
	}
}

func TestIDXClassNamesAndErrors(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 10, 4, 28, 28, 2, false)
	os.WriteFile(filepath.Join(dir, "classes.txt"), []byte("cat\ndog\n"), 0o644)
	s, err := OpenIDXSource(IDXPrefix + dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Test.Classes(), ","); got != "cat,dog" {
		t.Fatalf("classes %q, want cat,dog from classes.txt", got)
	}
	if _, err := LoadIDXDir(dir, []string{"one"}); err == nil || !strings.Contains(err.Error(), "classes named") {
		t.Fatalf("too few class names: %v", err)
	}
	os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte"))
	if _, err := LoadIDXDir(dir, nil); err == nil || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") {
		t.Fatalf("missing labels file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "x")
	os.WriteFile(bad, []byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, 0o644)
	if _, err := ReadIDX(bad); err == nil || !strings.Contains(err.Error(), "element type") {
		t.Fatalf("float IDX: %v", err)
	}
	os.WriteFile(bad, []byte{0, 0, 8, 1, 0, 0, 0, 9, 1, 2}, 0o644)
	if _, err := ReadIDX(bad); err == nil || !strings.Contains(err.Error(), "payload") {
		t.Fatalf("truncated IDX: %v", err)
	}
}

func TestIDXLargeImagesShrink(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 4, 2, 64, 64, 2, false)
	s, err := LoadIDXDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	img := make([]float32, Pixels)
	s.Train.Image(1, img)
	// pixel (0,0) is the mean of the 2x2 block at (0,0) of image 1
	want := float32(uint8((7+0+7+1+7+64+7+65+2)/4)) / 255
	if img[0] != want {
		t.Fatalf("area average %v, want %v", img[0], want)
	}
}

func TestGrayAugmentedSetMirrorsAndOriginals(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 6, 2, 28, 28, 2, false)
	s, err := LoadIDXDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := IDXAugment()
	for _, tc := range []struct {
		mirror string
		aug    int
		n      int
	}{{MirrorNone, 0, 6}, {MirrorH, 0, 12}, {MirrorHV, 0, 18}, {MirrorH, 3, 36}} {
		a.Mirror = tc.mirror
		g, err := NewGrayAugmentedSet(s.Train, tc.aug, a, 1)
		if err != nil {
			t.Fatal(err)
		}
		if g.Len() != tc.n {
			t.Fatalf("mirror %s aug %d: %d images, want %d", tc.mirror, tc.aug, g.Len(), tc.n)
		}
		orig, img := make([]float32, Pixels), make([]float32, Pixels)
		c := a.Copies()
		for i := 0; i < g.Len(); i++ {
			o := g.Origin(i)
			if _, err := g.Image(i, img); err != nil {
				t.Fatal(err)
			}
			if tc.aug > 0 || o.Copy != CopyHFlip {
				continue
			}
			s.Train.Image(o.Base, orig)
			for y := 0; y < Size; y++ {
				for x := 0; x < Size; x++ {
					if img[y*Size+x] != orig[y*Size+Size-1-x] {
						t.Fatalf("mirror %s image %d (copy %d of %d): not the left-right mirror of image %d", tc.mirror, i, o.Copy, c, o.Base)
					}
				}
			}
		}
		if tc.aug == 0 && tc.mirror == MirrorNone {
			for i := 0; i < g.Len(); i++ {
				g.Image(i, img)
				s.Train.Image(i, orig)
				if !equalF32(img, orig) {
					t.Fatalf("no augmentation, no mirror: image %d differs from the original", i)
				}
			}
		}
	}
}

func TestSplitZeroAugmentationsAndMirrorH(t *testing.T) {
	b := textures(t, TrainSet, 4, 1)
	aug := DefaultAugment()
	aug.Mirror = MirrorH
	tr, _, err := Split(b, SplitConfig{Mode: SplitPre, AugPerImage: 0, Aug: aug, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 2*15 {
		t.Fatalf("pre, 0 augmentations, mirror h: %d train images, want %d (5 classes x 3 base images x 2)", tr.Len(), 30)
	}
	img, want := make([]float32, Pixels), make([]float32, Pixels)
	for i := 0; i < tr.Len(); i++ {
		o := tr.Origin(i)
		tr.Image(i, img)
		b.Image(o.Base, want)
		if o.Aug != -1 || o.Copy != i%2 {
			t.Fatalf("origin %+v of image %d", o, i)
		}
		if o.Copy == CopyPlain && !equalF32(img, want) {
			t.Fatalf("image %d: not the unaugmented base image %d", i, o.Base)
		}
	}
	if _, err := NewAugmenter(AugmentConfig{Mirror: "vh", RotationDeg: 1}); err == nil {
		t.Fatal("mirror vh accepted")
	}
}

func TestFashionMNISTInstalled(t *testing.T) {
	if _, err := os.Stat(FashionMNISTDir); err != nil {
		t.Skipf("Fashion-MNIST not installed (%v): scripts/setup.sh installs dataset-fashion-mnist", err)
	}
	s, err := OpenIDXSource(FashionMNIST)
	if err != nil {
		t.Fatal(err)
	}
	if s.Train.Len() != 60000 || s.Test.Len() != 10000 || len(s.Train.Classes()) != 10 {
		t.Fatalf("%d train, %d test, %d classes", s.Train.Len(), s.Test.Len(), len(s.Train.Classes()))
	}
	counts := make([]int, 10)
	for _, l := range s.Test.Labels {
		counts[l]++
	}
	for c, n := range counts {
		if n != 1000 {
			t.Fatalf("test class %s: %d images, want 1000", FashionMNISTClasses[c], n)
		}
	}
}

func equalF32(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
