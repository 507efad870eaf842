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

// TestServeRefusesNegativeSettings: --upload-budget and --round-trip below
// 0 are refused with the flag's meaning at start, before anything is
// served (not at the first upload or click).
func TestServeRefusesNegativeSettings(t *testing.T) {
	p := filepath.Join(t.TempDir(), "i.db")
	w, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	for _, c := range []struct{ flag, value, want string }{
		{"--upload-budget", "-1", "--upload-budget -1 is negative"},
		{"--round-trip", "-2", "--round-trip -2 is negative"},
	} {
		_, err = runCLI(t, "serve", "--db", p, "--no-model", "--addr", "127.0.0.1:0", c.flag, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("serve %s %s: %v, want a refusal naming the flag", c.flag, c.value, err)
		}
	}
}
