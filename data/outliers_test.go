package data

import (
	"context"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// gradient is a w x h image whose grey level rises with x + k*y: images of
// different k differ, and none is its own mirror image.
func gradient(w, h, k int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetGray(x, y, color.Gray{Y: uint8((7*x + k*y) % 256)})
		}
	}
	return img
}

// TestLoadOutliers: every image file under the folder, at any depth, in
// path order, converted as DecodeImage converts it; an identical copy is
// dropped and counted, a file that does not decode is a counted skip, and
// a non-image name is not read.
func TestLoadOutliers(t *testing.T) {
	dir := t.TempDir()
	writePNG(t, filepath.Join(dir, "b.png"), gradient(40, 40, 1))
	writePNG(t, filepath.Join(dir, "a", "deep", "c.png"), gradient(64, 48, 3))
	writePNG(t, filepath.Join(dir, "a", "x.png"), gradient(40, 40, 5))
	writePNG(t, filepath.Join(dir, "z", "dup.png"), gradient(40, 40, 1)) // same pixels as b.png
	writeBytes(t, filepath.Join(dir, "a", "broken.png"), []byte("not a png"))
	writeBytes(t, filepath.Join(dir, "notes.txt"), []byte("text"))
	var log strings.Builder
	o, err := LoadOutliers(context.Background(), dir, &log)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"a/deep/c.png", "a/x.png", "b.png"}; !slices.Equal(o.Names, want) {
		t.Fatalf("names %q, want %q", o.Names, want)
	}
	if o.Len() != 3 || o.Duplicates != 1 || o.Skipped != 1 {
		t.Fatalf("%d images, %d duplicates, %d skipped; want 3, 1, 1", o.Len(), o.Duplicates, o.Skipped)
	}
	if !strings.Contains(log.String(), "broken.png") {
		t.Fatalf("the skipped file is not reported: %q", log.String())
	}
	for i, name := range o.Names {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		want, err := DecodeImage(b, false, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(o.Images[i], want) {
			t.Fatalf("%s: the outlier's pixels are not DecodeImage's", name)
		}
	}
	again, err := LoadOutliers(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Names, o.Names) {
		t.Fatalf("a second load gives %q, the first %q", again.Names, o.Names)
	}
}

// TestLoadOutliersEmpty: a folder without a decodable image is an error
// that names the folder, and so is a missing folder.
func TestLoadOutliersEmpty(t *testing.T) {
	dir := t.TempDir()
	writeBytes(t, filepath.Join(dir, "sub", "readme.txt"), []byte("no images"))
	writeBytes(t, filepath.Join(dir, "bad.png"), []byte("not a png"))
	_, err := LoadOutliers(context.Background(), dir, nil)
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "no image") {
		t.Fatalf("empty folder: error %v", err)
	}
	if _, err := LoadOutliers(context.Background(), filepath.Join(dir, "missing"), nil); err == nil {
		t.Fatal("a missing folder loads")
	}
}

// TestOutliersBatch: a step's batch depends only on (seed, step, n); every
// image is drawn once per pass; each draw is the image or its mirror.
func TestOutliersBatch(t *testing.T) {
	o := &Outliers{}
	for k := range 5 {
		img := make([]float32, Pixels)
		for i := range img {
			img[i] = float32((i*(k+2))%97) / 97
		}
		o.Images = append(o.Images, img)
	}
	mirror := func(src []float32) []float32 {
		out := make([]float32, Pixels)
		for y := range Size {
			for x := range Size {
				out[y*Size+x] = src[y*Size+Size-1-x]
			}
		}
		return out
	}
	which := func(img []float32) (int, bool) {
		for k, src := range o.Images {
			if slices.Equal(img, src) {
				return k, false
			}
			if slices.Equal(img, mirror(src)) {
				return k, true
			}
		}
		return -1, false
	}
	const n = 2
	var seen []int
	mirrored := 0
	for step := range int64(5) { // 10 draws: two passes over the 5 images
		a := make([]float32, n*Pixels)
		b := make([]float32, n*Pixels)
		if err := o.Batch(7, step, n, a); err != nil {
			t.Fatal(err)
		}
		if err := o.Batch(7, step, n, b); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a, b) {
			t.Fatalf("step %d: two calls differ", step)
		}
		for j := range n {
			k, m := which(a[j*Pixels : (j+1)*Pixels])
			if k < 0 {
				t.Fatalf("step %d image %d is no outlier image nor its mirror", step, j)
			}
			seen = append(seen, k)
			if m {
				mirrored++
			}
		}
	}
	for p := range 2 {
		pass := slices.Clone(seen[5*p : 5*p+5])
		slices.Sort(pass)
		if !slices.Equal(pass, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("pass %d draws %v, want each image once", p, seen[5*p:5*p+5])
		}
	}
	if mirrored == 0 || mirrored == len(seen) {
		t.Fatalf("%d of %d draws mirrored", mirrored, len(seen))
	}
	other := make([]float32, n*Pixels)
	first := make([]float32, n*Pixels)
	_ = o.Batch(7, 0, n, first)
	if err := o.Batch(8, 0, n, other); err != nil {
		t.Fatal(err)
	}
	if slices.Equal(first, other) {
		t.Fatal("seeds 7 and 8 draw the same first batch")
	}
	if err := (&Outliers{}).Batch(1, 0, 1, other); err == nil {
		t.Fatal("an empty set gives a batch")
	}
}
