package plot

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// checkSaved asserts that base.png decodes with the figure's size at
// DefaultDPI, base.svg is an SVG, and no temporary file is left.
func checkSaved(t *testing.T, fig *Figure, base string) {
	t.Helper()
	b, err := os.ReadFile(base + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s.png: %v", base, err)
	}
	wantW := int(float64(fig.Width)/72*DefaultDPI + 0.5)
	if d := img.Bounds().Dx() - wantW; d < -1 || d > 1 {
		t.Errorf("%s.png is %d px wide, want %d", base, img.Bounds().Dx(), wantW)
	}
	s, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(s, []byte("<svg")) || !bytes.HasSuffix(bytes.TrimSpace(s), []byte("</svg>")) || len(s) < 500 {
		t.Errorf("%s.svg is not a complete SVG (%d bytes)", base, len(s))
	}
	dec := xml.NewDecoder(bytes.NewReader(s))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Errorf("%s.svg is not well-formed XML: %v", base, err)
			break
		}
	}
	ents, err := os.ReadDir(filepath.Dir(base))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestSaveBothFormats(t *testing.T) {
	fig, err := Scatter(ScatterSpec{Layout: paperLayout(t), View: View{Half: 2}, Title: "layout"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// A .png extension is dropped; missing directories are made.
	if err := Save(fig, filepath.Join(dir, "sub", "ls.png")); err != nil {
		t.Fatal(err)
	}
	checkSaved(t, fig, filepath.Join(dir, "sub", "ls"))

	// A path whose directory is a file cannot be written.
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Save(fig, filepath.Join(dir, "file", "ls")); err == nil {
		t.Error("Save under a regular file succeeded")
	}
	if err := Save(nil, filepath.Join(dir, "nil")); err == nil {
		t.Error("Save(nil) succeeded")
	}
	var zero Figure
	if err := Save(&zero, filepath.Join(dir, "zero")); err == nil {
		t.Error("Save of a zero-size figure succeeded")
	}
}
