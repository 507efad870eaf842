package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/train"
	"github.com/lsconf/lsconf/web"
)

// TestServeDecodesRoundTrip: serve's --round-trip setting reaches the web
// page's decoder. A clicked point between two centres, asked of the HTTP
// API, comes back round-trip corrected by default and plain with
// --round-trip 0; each PNG is the one a server given the library's decoder
// of that setting draws, and the two differ.
func TestServeDecodesRoundTrip(t *testing.T) {
	tmp := t.TempDir()
	imgs, runDir, _ := tinyDecoderRun(t, tmp)
	dbPath := filepath.Join(tmp, "i.db")
	if _, err := runCLI(t, "index", "--run", runDir, "--images", imgs, "--db", dbPath); err != nil {
		t.Fatalf("index: %v", err)
	}
	db, err := index.OpenReadOnly(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ref, err := openModel(runDir, &globalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	l := ref.Layout()
	a, b := l.Center(0), l.Center(1)
	z := ""
	for i := range a {
		if i > 0 {
			z += ","
		}
		z += fmt.Sprintf("%.6f", (a[i]+b[i])/2)
	}
	ctx := context.Background()
	get := func(cfg web.Config) []byte {
		t.Helper()
		srv, err := web.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		hs := httptest.NewServer(srv)
		defer hs.Close()
		r, err := http.Get(hs.URL + "/api/decode?z=" + z)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		body, _ := io.ReadAll(r.Body)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("/api/decode: status %d: %s", r.StatusCode, body)
		}
		if _, err := png.Decode(bytes.NewReader(body)); err != nil {
			t.Fatalf("/api/decode: %v", err)
		}
		return body
	}
	served := map[int][]byte{}
	for _, iters := range []int{train.DefaultRoundTrip().Iterations, 0} {
		rt := train.DefaultRoundTrip()
		rt.Iterations = iters
		cfg, closeRun, err := serveConfig(ctx, db, serveOptions{runDir: runDir, roundTrip: rt}, &globalOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Decoder == nil {
			t.Fatal("serve built no decoder for a run trained with one")
		}
		served[iters] = get(cfg)
		closeRun()
		want := get(web.Config{DB: db, Model: ref, Decoder: train.RoundTripDecoder{Run: ref, RoundTrip: rt}})
		if !bytes.Equal(served[iters], want) {
			t.Errorf("--round-trip %d: the served image is not the library decoder's at that setting", iters)
		}
	}
	if bytes.Equal(served[0], served[train.DefaultRoundTrip().Iterations]) {
		t.Error("the corrected and the plain decoding of a point between two centres are the same image")
	}
}
