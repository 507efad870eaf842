package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
)

func TestDataGenAndCheck(t *testing.T) {
	tmp := t.TempDir()
	out := filepath.Join(tmp, "tex")
	s, err := runCLI(t, "data", "gen", "--out", out, "--per-class", "3", "--seed", "4", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var sum dataGenSummary
	if err := json.Unmarshal([]byte(s), &sum); err != nil || sum.Images != 15 || sum.Set != "train" {
		t.Fatalf("summary %q: %v", s, err)
	}
	// The tree loads back as the in-memory set, byte for byte.
	want, _ := data.Textures(t.Context(), data.TextureConfig{PerClass: 3, Seed: 4})
	got, _, err := data.LoadImageFolder(t.Context(), out, data.LoadOptions{Strict: true})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.RGB {
		if !bytes.Equal(want.RGB[i], got.RGB[i]) {
			t.Fatalf("image %d differs from data.Textures", i)
		}
	}
	for _, f := range []string{data.ClassMapFile, data.ContactSheetFile, "dots/0002.png", "vlines/0000.png"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	// A non-empty folder is refused; --force replaces an lsconf set only.
	if _, err := runCLI(t, "data", "gen", "--out", out, "--per-class", "1"); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("non-empty --out: %v", err)
	}
	if _, err := runCLI(t, "data", "gen", "--out", out, "--per-class", "2", "--set", "gen", "--force"); err != nil {
		t.Fatal(err)
	}
	cm, err := data.ReadClassMap(filepath.Join(out, data.ClassMapFile))
	if err != nil || cm.Set != "gen" || cm.Counts[0] != 2 {
		t.Fatalf("replaced set: %+v, %v", cm, err)
	}
	other := filepath.Join(tmp, "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "keep.txt"), []byte("mine"), 0o644)
	if _, err := runCLI(t, "data", "gen", "--out", other, "--force"); err == nil || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("--force on a foreign folder: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "keep.txt")); string(b) != "mine" {
		t.Fatal("foreign folder touched")
	}
	entries, _ := os.ReadDir(tmp)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary %s left behind", e.Name())
		}
	}
	if _, err := runCLI(t, "data", "gen", "--out", filepath.Join(tmp, "x"), "--set", "test"); err == nil {
		t.Error("--set test accepted")
	}

	// check: text and JSON reports; a bad file is listed; a sheet is written.
	os.WriteFile(filepath.Join(out, "dots", "notes.txt"), []byte("hello"), 0o644)
	s, err = runCLI(t, "data", "check", out, "--sheet", filepath.Join(tmp, "sheet.png"), "--aug-sheet", filepath.Join(tmp, "aug.png"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s, "10 images in 5 classes") || !strings.Contains(s, "dots/notes.txt: not a PNG") {
		t.Errorf("check output:\n%s", s)
	}
	for _, f := range []string{"sheet.png", "aug.png"} {
		if _, err := os.Stat(filepath.Join(tmp, f)); err != nil {
			t.Error(err)
		}
	}
	s, err = runCLI(t, "data", "check", out, "--json")
	var rep data.LoadReport
	if err != nil || json.Unmarshal([]byte(s), &rep) != nil || rep.Loaded != 10 || len(rep.Skipped) != 1 {
		t.Errorf("check --json: %v\n%s", err, s)
	}
	if _, err := runCLI(t, "data", "check", out, "--strict"); err == nil {
		t.Error("check --strict passed a folder with a bad file")
	}
	if _, err := runCLI(t, "data", "check", filepath.Join(out, "dots")); err == nil {
		t.Error("check of a class folder passed")
	}
}

// TestDataCheckSourceNames: every data-source name means in data check
// what it means in train: "builtin" and "fashion-mnist" are sources, not
// folders to stat.
func TestDataCheckSourceNames(t *testing.T) {
	for _, c := range []struct {
		source string
		splits []string
		total  int
	}{
		{data.BuiltinTrain, []string{"base images"}, 650},
		{data.FashionMNIST, []string{"train", "test"}, 60000},
	} {
		t.Run(c.source, func(t *testing.T) {
			if c.source == data.FashionMNIST {
				if _, err := os.Stat(data.FashionMNISTDir); err != nil {
					t.Skipf("Fashion-MNIST not installed: %v", err)
				}
			}
			s, err := runCLI(t, "data", "check", c.source, "--json")
			if err != nil {
				t.Fatal(err)
			}
			var rep data.SourceReport
			if err := json.Unmarshal([]byte(s), &rep); err != nil {
				t.Fatalf("%q: %v", s, err)
			}
			if len(rep.Splits) != len(c.splits) || rep.Splits[0].Name != c.splits[0] || rep.Splits[0].Total != c.total || len(rep.Classes) == 0 {
				t.Fatalf("data check %s: %+v", c.source, rep)
			}
			sum := 0
			for _, n := range rep.Splits[0].Counts {
				sum += n
			}
			if sum != c.total {
				t.Fatalf("counts %v sum to %d, want %d", rep.Splits[0].Counts, sum, c.total)
			}
			if txt, err := runCLI(t, "data", "check", c.source); err != nil || !strings.Contains(txt, "total") {
				t.Fatalf("text: %q, %v", txt, err)
			}
		})
	}
}
