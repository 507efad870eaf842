package index_test

import (
	"context"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

// TestDecodeMatchesData: index.DecodeImage gives the pixels that data's
// ImageFolder loader gives the model, bit for bit, for odd sizes, colour
// and transparency.
func TestDecodeMatchesData(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	sizes := [][2]int{{32, 32}, {97, 41}, {20, 70}, {640, 480}, {64, 64}}
	var files []string
	for i, sz := range sizes {
		img := image.NewNRGBA(image.Rect(0, 0, sz[0], sz[1]))
		for k := 0; k < len(img.Pix); k += 4 {
			img.Pix[k], img.Pix[k+1], img.Pix[k+2] = uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256))
			img.Pix[k+3] = 255
			if i == 2 {
				img.Pix[k+3] = uint8(rng.IntN(256))
			}
		}
		cls := "a"
		if i%2 == 1 {
			cls = "b"
		}
		os.MkdirAll(filepath.Join(dir, cls), 0o755)
		p := filepath.Join(dir, cls, string(rune('p'+i))+".png")
		if err := indextest.WritePNG(p, img); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	base, _, err := data.LoadImageFolder(context.Background(), dir, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < base.Len(); i++ {
		want := make([]float32, data.Pixels)
		if _, err := base.Image(i, want); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(base.IDs[i])))
		if err != nil {
			t.Fatal(err)
		}
		got, err := index.DecodeImage(b)
		if err != nil {
			t.Fatal(err)
		}
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("%s pixel %d: index %v, data %v", base.IDs[i], k, got[k], want[k])
			}
		}
	}
	if base.Len() != len(files) {
		t.Fatalf("data loaded %d of %d files", base.Len(), len(files))
	}
}
