package data

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	cpalette "image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lsconf/lsconf/internal/testutil"
)

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	writeBytes(t, path, buf.Bytes())
}

func writeBytes(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func solid(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

// hugePNG returns a valid PNG header claiming w x h pixels (a
// decompression bomb as far as the header goes).
func hugePNG(t *testing.T, w, h uint32) []byte {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1)))
	b := buf.Bytes()
	// IHDR: length at 8, type at 12, data at 16 (width, height), CRC at 29.
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	if _, err := png.DecodeConfig(bytes.NewReader(b)); err != nil {
		t.Fatalf("crafted header: %v", err)
	}
	return b
}

func load(t *testing.T, dir string, opts LoadOptions) (*Base, *LoadReport, error) {
	t.Helper()
	var (
		b   *Base
		rep *LoadReport
		err error
	)
	testutil.Within(t, time.Minute, func() { b, rep, err = LoadImageFolder(context.Background(), dir, opts) })
	return b, rep, err
}

func TestWriteLoadRoundTrip(t *testing.T) {
	b := textures(t, TrainSet, 3, 5)
	dir := filepath.Join(t.TempDir(), "set")
	seed := uint64(5)
	if err := WriteImageFolder(context.Background(), dir, b, ClassMap{Set: "train", Seed: &seed, PerClass: 3}, nil); err != nil {
		t.Fatal(err)
	}
	got, rep, err := load(t, dir, LoadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.ClassNames, ",") != strings.Join(b.ClassNames, ",") || got.Len() != b.Len() {
		t.Fatalf("loaded %v (%d images), wrote %v (%d)", got.ClassNames, got.Len(), b.ClassNames, b.Len())
	}
	for i := range b.RGB {
		if !bytes.Equal(got.RGB[i], b.RGB[i]) || got.Labels[i] != b.Labels[i] || got.IDs[i] != b.IDs[i]+".png" {
			t.Fatalf("image %d (%s as %s) differs after writing and loading", i, b.IDs[i], got.IDs[i])
		}
	}
	if rep.Loaded != 15 || len(rep.Skipped) != 0 || len(rep.Ignored) != 2 || rep.ClassMapNote != "" {
		t.Fatalf("report %+v", rep)
	}
	cm, err := ReadClassMap(filepath.Join(dir, ClassMapFile))
	if err != nil || cm.Generator != Generator || *cm.Seed != 5 || cm.Counts[0] != 3 || cm.ImageSize != BaseSize {
		t.Fatalf("class map %+v, %v", cm, err)
	}
	f, err := os.Open(filepath.Join(dir, ContactSheetFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet, err := png.DecodeConfig(f)
	if err != nil || sheet.Height < 5*2*Size*2 {
		t.Fatalf("contact sheet %+v, %v", sheet, err)
	}
	// A class map that disagrees with the folders is reported, folders win.
	WriteClassMap(filepath.Join(dir, ClassMapFile), &ClassMap{Classes: []string{"x", "y"}})
	if _, rep, err := load(t, dir, LoadOptions{}); err != nil || !strings.Contains(rep.ClassMapNote, "folders") {
		t.Fatalf("mismatched class map: %v, note %q", err, rep.ClassMapNote)
	}
}

func TestLoadFormats(t *testing.T) {
	dir := t.TempDir()
	// RGB 100x50 red/blue halves as PNG; JPEG; paletted GIF; 16-bit gray;
	// NRGBA with transparency; a PNG named .jpg.
	rb := image.NewRGBA(image.Rect(0, 0, 100, 50))
	for y := 0; y < 50; y++ {
		for x := 0; x < 100; x++ {
			if x < 50 {
				rb.Set(x, y, color.RGBA{255, 0, 0, 255})
			} else {
				rb.Set(x, y, color.RGBA{0, 0, 255, 255})
			}
		}
	}
	writePNG(t, filepath.Join(dir, "a", "halves.png"), rb)
	var jb bytes.Buffer
	jpeg.Encode(&jb, solid(40, 40, color.RGBA{200, 200, 200, 255}), &jpeg.Options{Quality: 95})
	writeBytes(t, filepath.Join(dir, "a", "photo.jpeg"), jb.Bytes())
	pal := image.NewPaletted(image.Rect(0, 0, 20, 30), cpalette.Plan9)
	for i := range pal.Pix {
		pal.Pix[i] = uint8(i % 7)
	}
	var gb bytes.Buffer
	gif.Encode(&gb, pal, nil)
	writeBytes(t, filepath.Join(dir, "b", "anim.GIF"), gb.Bytes())
	g16 := image.NewGray16(image.Rect(0, 0, 7, 300))
	for i := range g16.Pix {
		g16.Pix[i] = 0x80
	}
	writePNG(t, filepath.Join(dir, "b", "gray16.png"), g16)
	writePNG(t, filepath.Join(dir, "b", "clear.png"), solid(10, 10, color.NRGBA{255, 255, 255, 0}))
	writePNG(t, filepath.Join(dir, "b", "named.jpg"), solid(64, 64, color.RGBA{10, 20, 30, 255}))
	b, rep, err := load(t, dir, LoadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts[0] != 2 || rep.Counts[1] != 4 {
		t.Fatalf("counts %v", rep.Counts)
	}
	id := map[string]int{}
	for i, s := range b.IDs {
		id[s] = i
	}
	// Stretch: left half red, right half blue.
	h := b.RGB[id["a/halves.png"]]
	if h[0] != 255 || h[2] != 0 || h[3*(BaseSize-1)] != 0 || h[3*(BaseSize-1)+2] != 255 {
		t.Fatalf("stretched halves: first pixel %v, last %v", h[:3], h[3*(BaseSize-1):3*BaseSize])
	}
	if v := b.RGB[id["b/clear.png"]]; v[0] != 0 {
		t.Fatalf("transparent pixel loaded as %v, want black (over black)", v[:3])
	}
	if v := b.RGB[id["b/named.jpg"]]; v[0] != 10 || v[1] != 20 || v[2] != 30 {
		t.Fatalf("PNG named .jpg: %v", v[:3])
	}
	if v := b.RGB[id["b/gray16.png"]]; v[0] != 0x80 || v[1] != 0x80 {
		t.Fatalf("16-bit gray: %v", v[:3])
	}
	// Crop: the centred square of the halves image is half red, half blue
	// too; a 2:1 image cropped keeps its middle.
	c, _, err := load(t, dir, LoadOptions{Fit: "crop"})
	if err != nil {
		t.Fatal(err)
	}
	hc := c.RGB[id["a/halves.png"]]
	if hc[0] != 255 || hc[3*(BaseSize-1)+2] != 255 {
		t.Fatalf("cropped halves: %v .. %v", hc[:3], hc[3*(BaseSize-1):3*BaseSize])
	}
	if _, _, err := load(t, dir, LoadOptions{Fit: "zoom"}); err == nil {
		t.Fatal("unknown fit accepted")
	}
}

func TestLoadBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := solid(16, 16, color.RGBA{100, 150, 200, 255})
	writePNG(t, filepath.Join(dir, "a", "good.png"), good)
	writePNG(t, filepath.Join(dir, "a", "nested", "deeper", "good2.png"), good)
	writePNG(t, filepath.Join(dir, "b", "good.png"), good)
	writePNG(t, filepath.Join(dir, "b", "also.png"), good)
	writeBytes(t, filepath.Join(dir, "a", "notes.txt"), []byte("not an image"))
	writeBytes(t, filepath.Join(dir, "a", "fake.png"), []byte("this is text, not a PNG"))
	var pb bytes.Buffer
	png.Encode(&pb, solid(50, 50, color.RGBA{1, 2, 3, 255}))
	writeBytes(t, filepath.Join(dir, "a", "truncated.png"), pb.Bytes()[:pb.Len()/2])
	writeBytes(t, filepath.Join(dir, "a", "empty.png"), nil)
	writeBytes(t, filepath.Join(dir, "a", "huge.png"), hugePNG(t, 100000, 100000))
	writeBytes(t, filepath.Join(dir, "a", ".DS_Store"), []byte{0, 1, 2})
	writePNG(t, filepath.Join(dir, "a", "__MACOSX", "good.png"), good)
	writeBytes(t, filepath.Join(dir, "a", "nested", "junk.bin"), []byte{0xff, 0xd8, 0x00})
	writeBytes(t, filepath.Join(dir, "README.md"), []byte("top-level file"))
	for link, target := range map[string]string{
		"a/loop":           "..",            // back to the root: a loop
		"a/nested/self":    ".",             // to itself
		"a/tob":            "../b",          // into another class: would mislabel
		"a/dangling.png":   "missing.png",   // broken link
		"b/link-to-a-good": "../a/good.png", // a file link: fine
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "a", "pipe.png"), 0o644); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	b, rep, err := load(t, dir, LoadOptions{Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Classes, ",") != "a,b" || rep.Counts[0] != 2 || rep.Counts[1] != 3 || b.Len() != 5 {
		t.Fatalf("classes %v counts %v", rep.Classes, rep.Counts)
	}
	for i, id := range b.IDs {
		want := 0
		if strings.HasPrefix(id, "b/") {
			want = 1
		}
		if b.Labels[i] != want {
			t.Fatalf("%s labelled %d", id, b.Labels[i])
		}
	}
	reasons := map[string]string{}
	for _, s := range rep.Skipped {
		reasons[s.Path] = s.Reason
	}
	for path, want := range map[string]string{
		"a/notes.txt":       "not a PNG, JPEG or GIF",
		"a/fake.png":        "not a PNG, JPEG or GIF",
		"a/truncated.png":   "corrupt png",
		"a/empty.png":       "empty file",
		"a/huge.png":        "exceeds the limit",
		"a/nested/junk.bin": "corrupt",
		"a/loop":            "loop",
		"a/nested/self":     "loop",
		"a/tob":             "already loaded",
		"a/dangling.png":    "unreadable",
		"a/pipe.png":        "not a regular file",
	} {
		if !strings.Contains(reasons[path], want) {
			t.Errorf("%s: skip reason %q, want %q", path, reasons[path], want)
		}
	}
	if len(rep.Skipped) != 11 {
		t.Errorf("%d skipped: %+v", len(rep.Skipped), rep.Skipped)
	}
	if n := strings.Count(log.String(), "\n"); n != len(rep.Skipped) {
		t.Errorf("%d log lines for %d skips", n, len(rep.Skipped))
	}
	ignored := map[string]bool{}
	for _, s := range rep.Ignored {
		ignored[s.Path] = true
	}
	if !ignored["README.md"] || !ignored["a/.DS_Store"] || !ignored["a/__MACOSX"] {
		t.Errorf("ignored %+v", rep.Ignored)
	}
	if _, _, err := load(t, dir, LoadOptions{Strict: true}); err == nil {
		t.Error("strict load of a folder with bad files succeeded")
	}
	// A lower pixel limit rejects ordinary images too, counted.
	if _, rep, err := load(t, dir, LoadOptions{MaxPixels: 100}); err == nil || rep.Counts[0] != 0 {
		t.Errorf("pixel limit 100: %v, counts %v", err, rep.Counts)
	}
}

func TestLoadFolderErrors(t *testing.T) {
	good := solid(8, 8, color.RGBA{9, 9, 9, 255})
	// Missing root, a file as root.
	if _, _, err := load(t, filepath.Join(t.TempDir(), "nope"), LoadOptions{}); err == nil {
		t.Error("missing folder accepted")
	}
	f := filepath.Join(t.TempDir(), "file.png")
	writePNG(t, f, good)
	if _, _, err := load(t, f, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("file as root: %v", err)
	}
	// Images directly in the root: no class folders, with a hint.
	flat := t.TempDir()
	writePNG(t, filepath.Join(flat, "1.png"), good)
	writePNG(t, filepath.Join(flat, "2.png"), good)
	if _, _, err := load(t, flat, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "2 image files directly") {
		t.Errorf("flat folder: %v", err)
	}
	// A single class.
	one := t.TempDir()
	writePNG(t, filepath.Join(one, "cats", "1.png"), good)
	if _, _, err := load(t, one, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "1 class folder") {
		t.Errorf("single class: %v", err)
	}
	if b, _, err := load(t, one, LoadOptions{MinClasses: 1}); err != nil || b.Len() != 1 {
		t.Errorf("single class with MinClasses 1: %v", err)
	}
	// An empty class folder (or one with only junk).
	empty := t.TempDir()
	writePNG(t, filepath.Join(empty, "a", "1.png"), good)
	os.MkdirAll(filepath.Join(empty, "b"), 0o755)
	writeBytes(t, filepath.Join(empty, "c", "x.txt"), []byte("junk"))
	if _, _, err := load(t, empty, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "b, c hold no usable image") {
		t.Errorf("empty classes: %v", err)
	}
	b, rep, err := load(t, empty, LoadOptions{AllowEmptyClasses: true})
	if err != nil || len(b.ClassNames) != 3 || rep.Counts[1] != 0 || b.Labels[0] != 0 {
		t.Errorf("empty classes allowed: %v, %+v", err, rep)
	}
	// Two class names for one folder.
	twice := t.TempDir()
	writePNG(t, filepath.Join(twice, "a", "1.png"), good)
	os.Symlink("a", filepath.Join(twice, "b"))
	if _, _, err := load(t, twice, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "same folder") {
		t.Errorf("linked class folder: %v", err)
	}
	// Cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := LoadImageFolder(ctx, empty, LoadOptions{AllowEmptyClasses: true}); err == nil {
		t.Error("cancelled load succeeded")
	}
}
