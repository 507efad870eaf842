package index_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

func sqliteFile(t *testing.T, stmts ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "other.db")
	s, err := sql.Open("sqlite", "file:"+p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, st := range stmts {
		if _, err := s.Exec(st); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func tables(t *testing.T, p string) string {
	t.Helper()
	s, err := sql.Open("sqlite", "file:"+p+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rows, err := s.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		names = append(names, n)
	}
	return strings.Join(names, ",")
}

// TestOpenOnlyOwnDatabases: Open refuses another
// application's SQLite file, another application id and a text file,
// without adding its tables; an index made before the application id
// existed is adopted.
func TestOpenOnlyOwnDatabases(t *testing.T) {
	foreign := sqliteFile(t, `CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)`, `INSERT INTO users(name) VALUES('ann')`)
	if _, err := index.Open(foreign); !errors.Is(err, index.ErrNotIndex) || !strings.Contains(err.Error(), "users") {
		t.Fatalf("foreign SQLite file: %v", err)
	}
	if got := tables(t, foreign); got != "users" {
		t.Fatalf("tables after a refused open: %s", got)
	}
	otherApp := sqliteFile(t, `PRAGMA application_id = 1234`)
	if _, err := index.Open(otherApp); !errors.Is(err, index.ErrNotIndex) {
		t.Fatalf("other application id: %v", err)
	}
	clash := sqliteFile(t, `CREATE TABLE meta(k TEXT, v TEXT, extra INT)`)
	if _, err := index.Open(clash); !errors.Is(err, index.ErrNotIndex) {
		t.Fatalf("a meta table of another shape: %v", err)
	}
	text := filepath.Join(t.TempDir(), "notes.db")
	os.WriteFile(text, []byte(strings.Repeat("not a database\n", 500)), 0o644)
	if _, err := index.Open(text); !errors.Is(err, index.ErrNotIndex) {
		t.Fatalf("text file: %v", err)
	}
	// An index without the application id (made before it existed) opens
	// and gets it.
	legacy := sqliteFile(t, `CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
	db, err := index.Open(legacy)
	if err != nil {
		t.Fatalf("legacy index: %v", err)
	}
	var app int64
	db.SQL().QueryRow(`PRAGMA application_id`).Scan(&app)
	db.Close()
	if app != index.ApplicationID {
		t.Fatalf("application id %#x after opening a legacy index", app)
	}
}

// TestCorruptIndexRefused: bytes flipped mid-file make Open
// fail with ErrCorrupt (nothing is written), and CheckFile reports it.
func TestCorruptIndexRefused(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "coll")
	if _, err := indextest.WriteCollection(dir, 150, 1); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "idx.db")
	db, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.IndexFolder(ctx, indextest.NewFake(), dir, index.Options{}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if rep, err := index.CheckFile(ctx, p); err != nil || !rep.OK() {
		t.Fatalf("healthy index: %+v %v", rep, err)
	}
	if err := indextest.Damage(p); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if _, err := index.Open(p); !errors.Is(err, index.ErrCorrupt) {
		t.Fatalf("corrupt index: %v, want ErrCorrupt", err)
	}
	after, _ := os.ReadFile(p)
	if string(after) != string(b) {
		t.Fatal("a refused open wrote to the corrupt file")
	}
	if rep, err := index.CheckFile(ctx, p); err == nil && rep.OK() {
		t.Fatalf("CheckFile of a corrupt index: %+v", rep)
	}
}

// TestCollectionNamesValidated: names that a filter could never
// select are refused when the collection is created.
func TestCollectionNamesValidated(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "coll")
	if _, err := indextest.WriteCollection(dir, 1, 1); err != nil {
		t.Fatal(err)
	}
	db := openTemp(t)
	for _, name := range []string{"a,b", " ", " pad", "tab\there"} {
		if _, err := db.IndexFolder(ctx, indextest.NewFake(), dir, index.Options{Collection: name}); err == nil {
			t.Errorf("collection %q accepted", name)
		}
	}
	if _, err := db.IndexFolder(ctx, indextest.NewFake(), dir, index.Options{Collection: "market 2"}); err != nil {
		t.Fatal(err)
	}
}
