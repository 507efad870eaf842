package index_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

const crashEnv = "LSCONF_INDEX_CRASH_CHILD"

// TestMain runs the indexing child of TestKillDuringIndexing when the
// environment asks for it (the test binary re-executes itself).
func TestMain(m *testing.M) {
	if spec := os.Getenv(crashEnv); spec != "" {
		os.Exit(crashChild(spec))
	}
	os.Exit(m.Run())
}

// crashChild indexes slowly (one small batch every 20 ms) until killed.
func crashChild(spec string) int {
	var dbPath, dir string
	if _, err := fmt.Sscanf(spec, "%s %s", &dbPath, &dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	db, err := index.Open(dbPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	m := indextest.NewFake()
	m.Delay = 20 * time.Millisecond
	if _, err := db.IndexFolder(context.Background(), m, dir, index.Options{Batch: 3, Prune: true}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func TestKillDuringIndexing(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	ctx := context.Background()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "coll")
	n, err := indextest.WriteCollection(dir, 40, 5)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(tmp, "idx.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dbPath+" "+dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Wait until part of the collection is committed, then kill -9.
	deadline := time.Now().Add(60 * time.Second)
	var partial int
	for {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("child committed nothing within 60 s")
		}
		select {
		case err := <-done:
			t.Fatalf("child ended before the kill: %v", err)
		default:
		}
		time.Sleep(30 * time.Millisecond)
		if c := countRecords(dbPath); c >= n/4 {
			partial = c
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
	if partial >= n {
		t.Fatalf("child finished (%d of %d) before the kill", partial, n)
	}
	db, err := index.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	after, _ := db.Count(ctx)
	if after < partial || after >= n {
		t.Fatalf("after the kill %d records (saw %d committed), want a partial index of < %d", after, partial, n)
	}
	rep, err := db.Check(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("after the kill: %+v %v", rep, err)
	}
	m := indextest.NewFake()
	res, err := db.IndexFolder(ctx, m, dir, index.Options{Batch: 16, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped != after || res.Encoded != n-after {
		t.Fatalf("resume: %+v, want %d skipped and %d encoded", res, after, n-after)
	}
	rep, err = db.Check(ctx)
	if err != nil || !rep.OK() || rep.Records != n {
		t.Fatalf("after resume: %+v %v, want %d records", rep, err, n)
	}
	var distinct int
	if err := db.SQL().QueryRow(`SELECT COUNT(DISTINCT path) FROM records`).Scan(&distinct); err != nil || distinct != n {
		t.Fatalf("distinct paths %d (%v), want %d", distinct, err, n)
	}
	t.Logf("killed after %d of %d committed; resumed and completed", after, n)
}

// countRecords reads the record count from a separate connection (0 while
// the database is not created yet).
func countRecords(path string) int {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := index.Open(path)
	if err != nil {
		return 0
	}
	defer db.Close()
	n, _ := db.Count(context.Background())
	return n
}
