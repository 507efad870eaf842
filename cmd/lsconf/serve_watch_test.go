package main

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/web"
)

// TestServeStopsOnReplacedDB: serve stops with the reason when its index
// file is deleted under it, instead of serving the old data.
func TestServeStopsOnReplacedDB(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	p := filepath.Join(tmp, "i.db")
	w, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(tmp, "c")
	if _, err := indextest.WriteCollection(dir, 2, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := w.IndexFolder(ctx, indextest.NewFake(), dir, index.Options{}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	db, err := index.OpenReadOnly(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := web.New(web.Config{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- serveUntilDone(watchDB(ctx, db, 10*time.Millisecond), web.NewHTTPServer(srv, 0), ln) }()
	time.Sleep(50 * time.Millisecond)
	os.Remove(p)
	select {
	case err := <-done:
		if !errors.Is(err, index.ErrReplaced) {
			t.Fatalf("serve ended with %v, want ErrReplaced", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve kept serving a deleted index")
	}
}

// TestServeRefusesNegativeUploadBudget: --upload-budget below 0 is refused
// with the flag's meaning before anything is served.
func TestServeRefusesNegativeUploadBudget(t *testing.T) {
	tmp := t.TempDir()
	p := filepath.Join(tmp, "i.db")
	w, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = runCLI(t, "serve", "--db", p, "--no-model", "--addr", "127.0.0.1:0", "--upload-budget", "-1")
	if err == nil || !strings.Contains(err.Error(), "--upload-budget -1 is negative") {
		t.Fatalf("serve --upload-budget -1: %v, want a refusal naming the flag", err)
	}
}

// TestServeRefusesNegativeRoundTrip: --round-trip below 0 is refused at
// start, not at the first click.
func TestServeRefusesNegativeRoundTrip(t *testing.T) {
	tmp := t.TempDir()
	p := filepath.Join(tmp, "i.db")
	w, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	_, err = runCLI(t, "serve", "--db", p, "--no-model", "--addr", "127.0.0.1:0", "--round-trip", "-2")
	if err == nil || !strings.Contains(err.Error(), "--round-trip -2 is negative") {
		t.Fatalf("serve --round-trip -2: %v, want a refusal naming the flag", err)
	}
}
