package data

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestDecodeImageMatchesLoader: DecodeImage gives, bit for bit, the pixels
// LoadImageFolder gives the model, with both fits, for odd sizes.
func TestDecodeImageMatchesLoader(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, fit := range []string{"stretch", "crop"} {
		dir := t.TempDir()
		var blobs [][]byte
		for i, sz := range [][2]int{{97, 41}, {20, 70}, {64, 64}} {
			img := image.NewNRGBA(image.Rect(0, 0, sz[0], sz[1]))
			for k := range img.Pix {
				img.Pix[k] = uint8(rng.IntN(256))
			}
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			cls := []string{"a", "b", "a"}[i]
			if err := os.MkdirAll(filepath.Join(dir, cls), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, cls, string(rune('p'+i))+".png"), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			blobs = append(blobs, buf.Bytes())
		}
		base, _, err := LoadImageFolder(context.Background(), dir, LoadOptions{Fit: fit})
		if err != nil {
			t.Fatal(err)
		}
		if base.Len() != len(blobs) {
			t.Fatalf("%s: loaded %d of %d images", fit, base.Len(), len(blobs))
		}
		// IDs are class/name in sorted order: a/p, a/r, b/q.
		order := map[string]int{"a/p.png": 0, "b/q.png": 1, "a/r.png": 2}
		for i := 0; i < base.Len(); i++ {
			want := make([]float32, Pixels)
			if _, err := base.Image(i, want); err != nil {
				t.Fatal(err)
			}
			j, ok := order[base.IDs[i]]
			if !ok {
				t.Fatalf("unexpected id %q", base.IDs[i])
			}
			got, err := DecodeImage(blobs[j], fit == "crop", 0)
			if err != nil {
				t.Fatal(err)
			}
			for k := range want {
				if got[k] != want[k] {
					t.Fatalf("%s %s pixel %d: DecodeImage %v, loader %v", fit, base.IDs[i], k, got[k], want[k])
				}
			}
		}
	}
}

// TestDecodeImageErrors: non-images and images over the pixel limit are
// clear errors.
func TestDecodeImageErrors(t *testing.T) {
	if _, err := DecodeImage([]byte("not an image"), false, 0); !errors.Is(err, ErrNotImage) {
		t.Fatalf("text: %v, want ErrNotImage", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 40, 40))); err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeImage(buf.Bytes(), false, 1000); err == nil {
		t.Fatal("1600 pixels with a limit of 1000: no error")
	}
	if _, err := DecodeImage(buf.Bytes()[:len(buf.Bytes())/2], false, 0); err == nil {
		t.Fatal("truncated PNG: no error")
	}
}
