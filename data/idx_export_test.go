package data

import (
	"context"
	"math"
	"path/filepath"
	"testing"
)

// TestGraySetBaseRoundTrip: an IDX set written as an ImageFolder loads
// back with the same pixels and labels, so index and search see what
// training saw.
func TestGraySetBaseRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 40, 30, 28, 28, 3, false)
	s, err := LoadIDXDir(dir, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	test := s.Test.FirstPerClass(4)
	if test.Len() != 12 {
		t.Fatalf("FirstPerClass(4) of 3 classes: %d images", test.Len())
	}
	out := filepath.Join(t.TempDir(), "tree")
	if err := WriteImageFolderAtomic(context.Background(), out, test.Base(), ClassMap{Set: "t10k"}, nil, false); err != nil {
		t.Fatal(err)
	}
	b, _, err := LoadImageFolder(context.Background(), out, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != test.Len() {
		t.Fatalf("loaded %d images, wrote %d", b.Len(), test.Len())
	}
	// The loader orders by class, then file name; the writer numbers each
	// class's images in the set's order.
	want := make([]float32, Pixels)
	got := make([]float32, Pixels)
	next := map[int]int{}
	for i := range test.Len() {
		lw, _ := test.Image(i, want)
		j := lw*4 + next[lw]
		next[lw]++
		lg, err := b.Image(j, got)
		if err != nil {
			t.Fatal(err)
		}
		if b.ClassNames[lg] != test.ClassNames[lw] {
			t.Fatalf("image %d: class %s, want %s", i, b.ClassNames[lg], test.ClassNames[lw])
		}
		for k := range got {
			if math.Abs(float64(got[k]-want[k])) > 1e-6 {
				t.Fatalf("image %d pixel %d: %v after the round trip, want %v", i, k, got[k], want[k])
			}
		}
	}
}
