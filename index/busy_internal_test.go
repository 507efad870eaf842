package index

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestBusyMessage: a writer that cannot get the lock within its busy
// timeout gets ErrBusy with advice, not "not an lsconf index" (the
// connection here waits 50 ms, Open's wait BusyTimeout).
func TestBusyMessage(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "b.db")
	db, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.sql.BeginTx(ctx, nil) // IMMEDIATE: holds the write lock
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", dsn(p, "_pragma=busy_timeout(50)&_txlock=immediate"))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, err = other.BeginTx(ctx, nil)
	err = busy(err)
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "another lsconf index is writing") {
		t.Fatalf("locked writer: %v, want ErrBusy with advice", err)
	}
}
