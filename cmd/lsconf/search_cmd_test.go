package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/train"
)

// stripes makes a 32x32 image of class c: 0 horizontal stripes, 1 vertical
// stripes, 2 flat grey with noise.
func stripes(c int, rng *rand.Rand) ([]float32, *image.Gray) {
	px := make([]float32, data.Pixels)
	img := image.NewGray(image.Rect(0, 0, data.Size, data.Size))
	period := 4 + rng.IntN(5)
	phase := rng.IntN(period)
	level := 0.3 + 0.4*rng.Float64()
	for r := 0; r < data.Size; r++ {
		for col := 0; col < data.Size; col++ {
			v := level
			switch c {
			case 0:
				if (r+phase)%period < period/2 {
					v = 1 - level
				}
			case 1:
				if (col+phase)%period < period/2 {
					v = 1 - level
				}
			}
			v = min(max(v+0.1*(rng.Float64()-0.5), 0), 1)
			b := uint8(v*255 + 0.5)
			img.SetGray(col, r, color.Gray{Y: b})
			px[r*data.Size+col] = float32(b) / 255
		}
	}
	return px, img
}

var cmdClasses = []string{"hlines", "vlines", "uniform"}

// trainTiny trains a width-16 run for 2 epochs on 96 stripe images.
func trainTiny(t *testing.T, dir string, seed uint64) {
	t.Helper()
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	set := &data.MemSet{ClassNames: cmdClasses}
	for i := 0; i < 96; i++ {
		px, _ := stripes(i%3, rng)
		set.Images = append(set.Images, px)
		set.Labels = append(set.Labels, i%3)
	}
	cfg := train.Config{Mode: "ce+g", Width: 16, Epochs: 2, BatchSize: 32, LR: 3e-3, Seed: seed, Layout: l}
	if _, err := train.Train(context.Background(), cfg, train.Sets{Train: set}, dir); err != nil {
		t.Fatalf("train: %v", err)
	}
}

// writeFolder writes n images per class into dir/<class>/.
func writeFolder(t *testing.T, dir string, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 2))
	for c, name := range cmdClasses {
		os.MkdirAll(filepath.Join(dir, name), 0o755)
		for i := 0; i < n; i++ {
			_, img := stripes(c, rng)
			if err := indextest.WritePNG(filepath.Join(dir, name, fmt.Sprintf("%02d.png", i)), img); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkServe runs "lsconf serve" on a free loopback port, uploads an image
// and stops the server.
func checkServe(t *testing.T, db, query string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Error(err)
		return
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		root := newRootCmd()
		root.SetArgs([]string{"-q", "serve", "--db", db, "--addr", addr})
		done <- root.ExecuteContext(ctx)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var info struct {
		ImageSearch bool `json:"image_search"`
		Records     int  `json:"records"`
	}
	for i := 0; ; i++ {
		r, err := http.Get("http://" + addr + "/api/info")
		if err == nil {
			json.NewDecoder(r.Body).Decode(&info)
			r.Body.Close()
			break
		}
		if i == 100 {
			t.Errorf("serve did not answer: %v", err)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !info.ImageSearch || info.Records != 36 {
		t.Errorf("serve info: %+v, want image search on 36 records", info)
	}
	b, _ := os.ReadFile(query)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("image", "q.png")
	fw.Write(b)
	mw.Close()
	r, err := http.Post("http://"+addr+"/api/search/image?k=7", mw.FormDataContentType(), &body)
	if err != nil {
		t.Error(err)
		return
	}
	defer r.Body.Close()
	var res struct {
		Results []struct{ Score float32 } `json:"results"`
	}
	if err := json.NewDecoder(r.Body).Decode(&res); err != nil || r.StatusCode != 200 || len(res.Results) != 7 {
		t.Errorf("serve image search: %d %+v %v", r.StatusCode, res, err)
	}
}

// lsconf runs the CLI in-process and returns stdout.
func lsconf(args ...string) (string, error) {
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"-q"}, args...))
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// TestIndexSearchCommands trains a tiny run, indexes two collections with
// "lsconf index", and queries them with "lsconf search" across collections,
// by words, by record (with --grid) and with "search eval".
func TestIndexSearchCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a model")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		runIndexSearchCommands(t)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatal("index/search commands did not finish within 5 minutes (backend hang?)")
	}
}

func runIndexSearchCommands(t *testing.T) {
	tmp := t.TempDir()
	run, other := filepath.Join(tmp, "run"), filepath.Join(tmp, "other")
	trainTiny(t, run, 7)
	a, b := filepath.Join(tmp, "market"), filepath.Join(tmp, "wildtrack")
	writeFolder(t, a, 6, 1)
	writeFolder(t, b, 6, 2)
	db := filepath.Join(tmp, "idx.db")
	out, err := lsconf("index", "--run", run, "--images", a, "--db", db)
	if err != nil || !strings.Contains(out, "18 encoded") {
		t.Errorf("index market: %v\n%s", err, out)
		return
	}
	if out, err = lsconf("index", "--run", run, "--images", b, "--db", db, "--json"); err != nil {
		t.Errorf("index wildtrack: %v\n%s", err, out)
		return
	}
	if out, err = lsconf("index", "--run", run, "--images", a, "--db", db); err != nil || !strings.Contains(out, "0 encoded") || !strings.Contains(out, "18 already indexed") {
		t.Errorf("re-index market: %v\n%s", err, out)
		return
	}
	// Cross-collection: a market image searched in wildtrack.
	out, err = lsconf("search", "--db", db, "--image", filepath.Join(a, "vlines", "00.png"), "--collection", "wildtrack", "--json")
	if err != nil {
		t.Errorf("search image: %v\n%s", err, out)
		return
	}
	var res searchOutput
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Errorf("search JSON: %v\n%s", err, out)
		return
	}
	if len(res.Results) != 10 || res.Kind != "image" || len(res.Query.Point) != 2 {
		t.Errorf("search image: %+v", res)
	}
	for _, r := range res.Results {
		if r.Collection != "wildtrack" || !strings.HasPrefix(r.Path, b) {
			t.Errorf("cross-collection result outside wildtrack: %+v", r)
		}
	}
	if out, err = lsconf("search", "--db", db, "--text", "horizontal stripes", "--k", "5"); err != nil || !strings.Contains(out, "1.00 hlines") {
		t.Errorf("search text: %v\n%s", err, out)
	}
	if out, err = lsconf("search", "--db", db, "--text", "plaid"); err == nil || !strings.Contains(err.Error(), "unknown words") {
		t.Errorf("plaid without a squares class: %v\n%s", err, out)
	}
	grid := filepath.Join(tmp, "grid.png")
	if out, err = lsconf("search", "--db", db, "--record", "1", "--grid", grid); err != nil {
		t.Errorf("search record: %v\n%s", err, out)
	}
	if f, err := os.Open(grid); err != nil {
		t.Errorf("grid: %v", err)
	} else {
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width < 300 {
			t.Errorf("grid image: %+v %v", cfg, err)
		}
	}
	out, err = lsconf("search", "eval", "--db", db, "--json")
	var ev struct {
		Eval struct {
			Labelled int     `json:"labelled"`
			ImageP   float64 `json:"image_precision"`
			Metrics  struct {
				Retrieval  map[string]float64 `json:"retrieval"`
				Clustering map[string]float64 `json:"clustering"`
			} `json:"metrics"`
		} `json:"eval"`
	}
	if err != nil || json.Unmarshal([]byte(out), &ev) != nil || ev.Eval.Labelled != 36 || ev.Eval.ImageP < 0 || ev.Eval.ImageP > 1 {
		t.Errorf("search eval: %v %+v\n%s", err, ev, out)
	}
	for _, f := range []string{"p_at_1", "p_at_k", "r_precision", "map_at_r", "mrr"} {
		if x, ok := ev.Eval.Metrics.Retrieval[f]; !ok || x < 0 || x > 1 {
			t.Errorf("search eval --json: retrieval %s = %v (present %v)", f, x, ok)
		}
	}
	for _, f := range []string{"nmi", "ami"} {
		if _, ok := ev.Eval.Metrics.Clustering[f]; !ok {
			t.Errorf("search eval --json: no clustering %s", f)
		}
	}
	if out, err = lsconf("search", "eval", "--db", db); err != nil || !strings.Contains(out, "MAP@R") || !strings.Contains(out, "AMI") {
		t.Errorf("search eval table: %v\n%s", err, out)
	}
	// --by distance ranks by Euclidean distance in z and says so.
	var byDist struct {
		Eval struct {
			By       string  `json:"by"`
			Labelled int     `json:"labelled"`
			ImageP   float64 `json:"image_precision"`
		} `json:"eval"`
	}
	if out, err = lsconf("search", "eval", "--db", db, "--by", "distance", "--json"); err != nil || json.Unmarshal([]byte(out), &byDist) != nil ||
		byDist.Eval.By != "distance" || byDist.Eval.Labelled != 36 || byDist.Eval.ImageP <= 0 {
		t.Errorf("search eval --by distance: %v %+v\n%s", err, byDist, out)
	}
	if out, err = lsconf("search", "eval", "--db", db, "--by", "distance"); err != nil || !strings.Contains(out, "by Euclidean distance") {
		t.Errorf("search eval --by distance table: %v\n%s", err, out)
	}
	if _, err = lsconf("search", "eval", "--db", db, "--by", "cosine"); err == nil {
		t.Error("search eval --by cosine accepted")
	}
	// The built-in generalization set (80 images, 16 per class; the tiny
	// run knows 3 of its 5 classes, so 48 labelled queries).
	gen := filepath.Join(tmp, "gen.db")
	if out, err = lsconf("index", "--run", run, "--builtin", "gen", "--data-seed", "1", "--db", gen); err != nil || !strings.Contains(out, "80 encoded") {
		t.Errorf("index --builtin gen: %v\n%s", err, out)
	}
	if out, err = lsconf("search", "eval", "--db", gen, "--json"); err != nil || json.Unmarshal([]byte(out), &ev) != nil || ev.Eval.Labelled != 48 {
		t.Errorf("search eval on the built-in gen set: %v %+v\n%s", err, ev, out)
	}
	// serve finds the run recorded in the index and answers image uploads.
	checkServe(t, db, filepath.Join(a, "hlines", "01.png"))
	// Another run cannot extend this index.
	trainTiny(t, other, 8)
	if out, err = lsconf("index", "--run", other, "--images", a, "--db", db, "--collection", "again"); err == nil || !strings.Contains(err.Error(), "different model") {
		t.Errorf("index with another run: %v\n%s", err, out)
	}
	idx, err := index.Open(db)
	if err != nil {
		t.Error(err)
		return
	}
	defer idx.Close()
	if rep, err := idx.Check(context.Background()); err != nil || !rep.OK() || rep.Records != 36 {
		t.Errorf("check: %+v %v", rep, err)
	}
}
