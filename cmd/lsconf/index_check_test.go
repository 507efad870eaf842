package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

// TestIndexCheckCommand: lsconf index --check passes a healthy index and
// fails a damaged one (which plain opening refuses).
func TestIndexCheckCommand(t *testing.T) {
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "coll")
	if _, err := indextest.WriteCollection(dir, 150, 1); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(tmp, "idx.db")
	db, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.IndexFolder(context.Background(), indextest.NewFake(), dir, index.Options{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out, err := runCLI(t, "index", "--check", "--db", p)
	if err != nil || !strings.Contains(out, "integrity ok") {
		t.Fatalf("healthy index: %v %q", err, out)
	}
	if err := indextest.Damage(p); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "index", "--check", "--db", p); err == nil {
		t.Fatal("damaged index passed --check")
	}
	if _, err := runCLI(t, "search", "--db", p, "--text", "dots"); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Fatalf("search on a damaged index: %v", err)
	}
}
