package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/train"
)

// writeIDXDir writes a 10-class IDX data set of 28x28 images (n train, m
// test): class c is a bright bar at row 2c, so it can be learnt.
func writeIDXDir(t *testing.T, dir string, n, m int) {
	t.Helper()
	for _, p := range []struct {
		prefix string
		n      int
	}{{"train", n}, {"t10k", m}} {
		pix := make([]uint8, p.n*28*28)
		lab := make([]uint8, p.n)
		for i := 0; i < p.n; i++ {
			c := i % 10
			lab[i] = uint8(c)
			for x := 0; x < 28; x++ {
				pix[i*784+(2*c+4)*28+x] = 200 + uint8(i%50)
			}
		}
		for _, f := range []struct {
			name string
			dims []int
			b    []uint8
		}{{p.prefix + "-images-idx3-ubyte", []int{p.n, 28, 28}, pix}, {p.prefix + "-labels-idx1-ubyte", []int{p.n}, lab}} {
			var buf bytes.Buffer
			if err := data.EncodeIDX(&buf, f.dims, f.b); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f.name), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestTrainIDXTenClassesDefaults(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "idx")
	os.MkdirAll(dir, 0o755)
	writeIDXDir(t, dir, 200, 50)
	run := filepath.Join(tmp, "run")
	out, err := runCLI(t, "train", "--data", "idx:"+dir, "--width", "16", "--epochs", "1", "--batch", "32", "--out", run, "--json")
	if err != nil {
		t.Fatalf("train --data idx: %v", err)
	}
	var res train.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Test == nil || res.Test.N != 50 || res.Gen != nil {
		t.Fatalf("test set %+v gen %+v: want the 50 shipped test images, no generalization set", res.Test, res.Gen)
	}
	info, err := train.ReadRunInfo(run)
	if err != nil {
		t.Fatal(err)
	}
	l := info.Layout
	wantRc := 0.68052 * l.Rd() / 2
	if l.NC() != 10 || l.ND() != 9 || l.Kind() != "simplex" || l.Radius(0) < wantRc*0.999 || l.Radius(0) > wantRc*1.001 {
		t.Errorf("default layout for 10 classes: n_c %d n_d %d kind %s r_c %v (want 10, 9, simplex, %v)", l.NC(), l.ND(), l.Kind(), l.Radius(0), wantRc)
	}
	d := info.Data
	if d.Split != "shipped" || d.AugPerImage != 0 || d.Mirror != data.MirrorH || d.TrainLen != 400 {
		t.Errorf("data of an IDX run: %+v (want shipped split, 0 augmentations, mirror h, 400 training images)", d)
	}
	if c := info.Config; c.LGReduction != train.RecommendedLGReduction || c.LGCenter != train.RecommendedLGCenter {
		t.Errorf("default loss: reduction %q centre pull %v, want the recommended %q, %v", c.LGReduction, c.LGCenter, train.RecommendedLGReduction, train.RecommendedLGCenter)
	}

	// plot draws the run's IDX data (its test split) and an unlabelled folder.
	flat := filepath.Join(tmp, "flat")
	writeFolder(t, filepath.Join(tmp, "tree"), 2, 3)
	os.MkdirAll(flat, 0o755)
	ents, _ := filepath.Glob(filepath.Join(tmp, "tree", "*", "*.png"))
	for i, p := range ents {
		copyAny(t, p, filepath.Join(flat, fmt.Sprintf("%02d.png", i)))
	}
	figs := filepath.Join(tmp, "figs")
	if _, err := runCLI(t, "plot", "--run", run, "--out", figs, "--gen", flat, "--dpi", "40"); err != nil {
		t.Fatalf("plot with an unlabelled --gen folder: %v", err)
	}
	checkPNG(t, filepath.Join(figs, "ls.png"))
	out, err = runCLI(t, "eval", "--run", run, "--data", "idx:"+dir)
	if err != nil || !strings.Contains(out, `"n": 50`) {
		t.Errorf("eval --data idx: %v %s", err, out)
	}

	// index reads image files: an IDX source names the import command; an
	// imported split indexes, and its encodings are the ones eval saw.
	db := filepath.Join(tmp, "idx.db")
	if _, err := runCLI(t, "index", "--run", run, "--images", "idx:"+dir, "--db", db); err == nil || !strings.Contains(err.Error(), "data import") {
		t.Errorf("index of an IDX source: %v, want an error naming lsconf data import", err)
	}
	tree := filepath.Join(tmp, "imported")
	out, err = runCLI(t, "data", "import", "idx:"+dir, "--split", "test", "--per-class", "3", "--out", tree, "--json")
	if err != nil {
		t.Fatalf("data import: %v", err)
	}
	var imp data.IDXImport
	if err := json.Unmarshal([]byte(out), &imp); err != nil || imp.Images != 30 || len(imp.Classes) != 10 {
		t.Fatalf("data import summary %s (%v): want 30 images of 10 classes", out, err)
	}
	if _, err := runCLI(t, "data", "import", "idx:"+dir, "--out", tree); err == nil {
		t.Errorf("data import into a non-empty folder without --force succeeded")
	}
	if _, err := runCLI(t, "index", "--run", run, "--images", tree, "--db", db); err != nil {
		t.Fatalf("index of the imported split: %v", err)
	}
	out, err = runCLI(t, "search", "eval", "--db", db, "--json")
	if err != nil || !strings.Contains(out, `"records": 30`) {
		t.Errorf("search eval of the imported split: %v %s", err, out)
	}
}

func TestTrainFlagRefusals(t *testing.T) {
	tmp := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--k-g", "0"}, "--mode ce"},
		{[]string{"--paper-loss", "--lg-center", "1"}, "--paper-loss"},
		{[]string{"--r-c", "0.5", "--n-c", "5"}, "largest valid r_c"},
		{[]string{"--mirror", "vh", "--epochs", "1", "--width", "16"}, "mirror"},
	} {
		_, err := runCLI(t, append([]string{"train", "--out", filepath.Join(tmp, "r")}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("train %v: error %v, want one naming %q", tc.args, err, tc.want)
		}
	}
	out, err := runCLI(t, "layout", "--n-c", "10", "--n-d", "2", "--r-c", "0.3")
	if err == nil || !strings.Contains(err.Error(), "--r-c below 0.2627") {
		t.Errorf("layout refusal: %v %s", err, out)
	}
}
