// Package indextest provides a fake model and small image collections for
// the tests of index, search and web, so that they run without a trained
// network.
package indextest

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/lsconf/lsconf/latent"
)

// Classes are the paper's five texture classes.
var Classes = []string{"uniform", "hlines", "vlines", "squares", "dots"}

// Fake is a deterministic stand-in for a trained run: it maps an image's
// mean brightness b to the angle 2*pi*b - pi/n_c on the paper's circle
// layout, so that images of brightness near (i+0.5)/n_c land on centre i,
// and its pixel spread to the radius (0.85 +- 0.25).
type Fake struct {
	// Name is the model id (default "fake-v1").
	Name string
	// Delay is slept in every Encode call (crash tests).
	Delay time.Duration
	// Calls counts Encode calls (not synchronised; for single-goroutine
	// tests).
	Calls  int
	layout *latent.Layout
}

// NewFake returns a fake model on the paper's layout.
func NewFake() *Fake {
	l, err := latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err != nil {
		panic(err)
	}
	return &Fake{Name: "fake-v1", layout: l}
}

// ID implements index.Model.
func (f *Fake) ID() string { return f.Name }

// Layout implements index.Model.
func (f *Fake) Layout() *latent.Layout { return f.layout }

// Classes implements index.Model.
func (f *Fake) Classes() []string { return Classes }

// Sectors implements index.Model (plain encoder).
func (f *Fake) Sectors() *latent.Sectors { return nil }

// Encode implements index.Model.
func (f *Fake) Encode(images []float32, n int) ([]float32, error) {
	const px = 32 * 32
	if len(images) != n*px {
		return nil, fmt.Errorf("fake encode: %d values for %d images", len(images), n)
	}
	f.Calls++
	if f.Delay > 0 {
		time.Sleep(f.Delay)
	}
	z := make([]float32, 2*n)
	for i := 0; i < n; i++ {
		z0, z1 := FakePoint(images[i*px : (i+1)*px])
		z[2*i], z[2*i+1] = float32(z0), float32(z1)
	}
	return z, nil
}

// FakePoint is the fake encoder's map for one image.
func FakePoint(img []float32) (float64, float64) {
	var s, s2 float64
	for _, x := range img {
		s += float64(x)
		s2 += float64(x) * float64(x)
	}
	m := s / float64(len(img))
	sd := math.Sqrt(max(s2/float64(len(img))-m*m, 0))
	nc := float64(len(Classes))
	a := 2*math.Pi*m - math.Pi/nc
	r := 0.85 + 0.25*math.Tanh(4*(sd-0.1))
	return r * math.Cos(a), r * math.Sin(a)
}

// Image makes a 32x32 gray test image of class c: mean brightness near
// (c+0.5)/5 with a per-image offset and pixel noise.
func Image(c int, rng *rand.Rand) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, 32, 32))
	base := (float64(c)+0.5)/float64(len(Classes)) + (rng.Float64()-0.5)*0.1
	amp := rng.Float64() * 0.1
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			v := base + amp*(rng.Float64()*2-1)
			img.SetGray(x, y, color.Gray{Y: uint8(math.Round(min(max(v, 0), 1) * 255))})
		}
	}
	return img
}

// WriteCollection writes perClass PNG images of every class into
// dir/<class>/<class>_NNN.png and returns the number written.
func WriteCollection(dir string, perClass int, seed uint64) (int, error) {
	rng := rand.New(rand.NewPCG(seed, 7))
	n := 0
	for c, name := range Classes {
		sub := filepath.Join(dir, name)
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return n, err
		}
		for i := 0; i < perClass; i++ {
			if err := WritePNG(filepath.Join(sub, fmt.Sprintf("%s_%03d.png", name, i)), Image(c, rng)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// WritePNG writes img to path.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Damage flips 48 bytes at the start of every 4 KiB page in the middle
// third of a database file (page headers and cell pointers), the damage
// SQLite's quick check finds. The file must hold at least 8 pages.
func Damage(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	const page = 4096
	if len(b) < 8*page {
		return fmt.Errorf("damage %s: %d bytes, want at least 8 pages", path, len(b))
	}
	for pg := len(b) / page / 3; pg < len(b)/page*2/3; pg++ {
		for i := 0; i < 48; i++ {
			b[pg*page+i] ^= 0x5a
		}
	}
	return os.WriteFile(path, b, 0o644)
}

// Decode is the fake decoder (web.Decoder): point z maps to a flat image
// whose brightness the fake encoder maps back to z's angle.
func (f *Fake) Decode(z []float32, n int) ([]float32, error) {
	const px = 32 * 32
	if len(z) != 2*n {
		return nil, fmt.Errorf("fake decode: %d values for %d points", len(z), n)
	}
	out := make([]float32, n*px)
	nc := float64(len(Classes))
	for i := 0; i < n; i++ {
		a := math.Atan2(float64(z[2*i+1]), float64(z[2*i])) + math.Pi/nc
		m := math.Mod(a/(2*math.Pi)+1, 1)
		for k := 0; k < px; k++ {
			out[i*px+k] = float32(m)
		}
	}
	return out, nil
}

// PhotoJPEG is a w x h JPEG with photo-like content (smooth colour
// gradients with pixel noise of amplitude noise), at the given quality:
// about 0.5 bytes a pixel at noise 64 and quality 90, as camera files.
func PhotoJPEG(w, h, noise, quality int, seed uint64) ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := uint8(rng.IntN(max(noise, 1)))
			img.SetRGBA(x, y, color.RGBA{uint8(x*255/w)/2 + n, uint8(y*255/h)/2 + n, uint8((x+y)%256)/2 + n, 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
