package index_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

// TestConcurrentWriters: 16 writers, each with its own connection pool
// (as 16 processes would be), index different collections into one
// database, new and then existing: all succeed (they wait for each other
// within the busy timeout instead of failing with SQLITE_BUSY).
func TestConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	tmp := t.TempDir()
	const writers = 16
	var dirs []string
	for i := range writers {
		d := filepath.Join(tmp, fmt.Sprintf("c%02d", i))
		if _, err := indextest.WriteCollection(d, 2, uint64(i)); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	p := filepath.Join(tmp, "shared.db")
	for round := range 2 { // round 0: a new db; round 1: an existing one
		var wg sync.WaitGroup
		errs := make([]error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				db, err := index.Open(p)
				if err != nil {
					errs[i] = err
					return
				}
				defer db.Close()
				_, errs[i] = db.IndexFolder(ctx, indextest.NewFake(), dirs[i], index.Options{Batch: 1, Collection: fmt.Sprintf("r%d-%s", round, filepath.Base(dirs[i]))})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("round %d writer %d: %v", round, i, err)
			}
		}
	}
	db, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cols, err := db.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 2*writers {
		t.Fatalf("%d collections, want %d", len(cols), 2*writers)
	}
}

// buildSmall writes a small index at p and closes it.
func buildSmall(t *testing.T, p string) int {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "coll")
	n, err := indextest.WriteCollection(dir, 3, 7)
	if err != nil {
		t.Fatal(err)
	}
	db, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.IndexFolder(context.Background(), indextest.NewFake(), dir, index.Options{}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}

// readAll opens p read-only and loads every record, as search, serve and
// eval do, then runs the full check as index --check does.
func readAll(t *testing.T, p string, want int) {
	t.Helper()
	ctx := context.Background()
	db, err := index.OpenReadOnly(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	snap, err := db.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Len() != want {
		t.Fatalf("%d records, want %d", snap.Len(), want)
	}
	if _, err := db.Record(ctx, snap.IDs[0]); err != nil {
		t.Fatal(err)
	}
	if rep, err := index.CheckFile(ctx, p); err != nil || !rep.OK() {
		t.Fatalf("check: %+v, %v", rep, err)
	}
}

// TestReadOnlyOpenWritesNothing: a 0444 index is read (a non-root user
// could not write it; root could, so the test checks that nothing is
// written: the bytes and the modification time stay, no -wal or -shm is
// left behind).
func TestReadOnlyOpenWritesNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ro.db")
	n := buildSmall(t, p)
	if err := os.Chmod(p, 0o444); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(p)
	st0, _ := os.Stat(p)
	readAll(t, p, n)
	after, _ := os.ReadFile(p)
	st1, _ := os.Stat(p)
	if !bytes.Equal(before, after) || !st0.ModTime().Equal(st1.ModTime()) {
		t.Fatal("a read-only open changed the file")
	}
	for _, ext := range []string{"-wal", "-journal"} {
		if st, err := os.Stat(p + ext); err == nil && st.Size() > 0 {
			t.Fatalf("%s of %d bytes left by a read-only open", ext, st.Size())
		}
	}
	// Writing through a read-only handle fails.
	db, err := index.OpenReadOnly(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.IndexFolder(context.Background(), indextest.NewFake(), t.TempDir(), index.Options{Collection: "x"}); err == nil {
		t.Fatal("indexing through a read-only handle succeeded")
	}
}

// TestReadOnlyBindMount: an index on a read-only bind mount (no -shm can
// be made beside it) is read. It needs mount rights (root); skipped
// otherwise.
func TestReadOnlyBindMount(t *testing.T) {
	src, mnt := t.TempDir(), t.TempDir()
	n := buildSmall(t, filepath.Join(src, "i.db"))
	if err := syscall.Mount(src, mnt, "", syscall.MS_BIND, ""); err != nil {
		t.Skipf("bind mount not permitted here: %v", err)
	}
	defer syscall.Unmount(mnt, 0)
	if err := syscall.Mount("", mnt, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
		t.Skipf("read-only remount not permitted here: %v", err)
	}
	if err := os.WriteFile(filepath.Join(mnt, "probe"), nil, 0o644); err == nil {
		t.Fatal("the mount is writable")
	}
	readAll(t, filepath.Join(mnt, "i.db"), n)
}

// failingModel fails its Encode calls after the first ok ones (a disk
// full or a crash in the middle of indexing).
type failingModel struct {
	*indextest.Fake
	ok int
}

func (f *failingModel) Encode(images []float32, n int) ([]float32, error) {
	if f.ok == 0 {
		return nil, errors.New("no space left on device")
	}
	f.ok--
	return f.Fake.Encode(images, n)
}

// TestPartialCollectionMarked: indexing that stops after 2 batches leaves
// the collection marked partial (with the files expected); finishing it
// clears the mark.
func TestPartialCollectionMarked(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "coll")
	n, err := indextest.WriteCollection(dir, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	db, err := index.Open(filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.IndexFolder(ctx, &failingModel{Fake: indextest.NewFake(), ok: 2}, dir, index.Options{Batch: 2}); err == nil {
		t.Fatal("indexing with a failing model succeeded")
	}
	cols, err := db.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 1 || !cols[0].Partial || cols[0].Count != 4 || cols[0].Expected != n {
		t.Fatalf("after a failed run: %+v, want partial with 4 of %d", cols, n)
	}
	if _, err := db.IndexFolder(ctx, indextest.NewFake(), dir, index.Options{Batch: 2}); err != nil {
		t.Fatal(err)
	}
	if cols, _ = db.Collections(ctx); cols[0].Partial || cols[0].Count != n {
		t.Fatalf("after a full run: %+v", cols)
	}
}

// TestReplaced: an open index notices its file deleted or replaced, not
// written in place.
func TestReplaced(t *testing.T) {
	tmp := t.TempDir()
	p := filepath.Join(tmp, "i.db")
	buildSmall(t, p)
	db, err := index.OpenReadOnly(p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Replaced(); err != nil {
		t.Fatalf("unchanged: %v", err)
	}
	w, err := index.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.IndexFolder(context.Background(), indextest.NewFake(), t.TempDir(), index.Options{Collection: "more"}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	if err := db.Replaced(); err != nil {
		t.Fatalf("written in place: %v", err)
	}
	other := filepath.Join(tmp, "other.db")
	buildSmall(t, other)
	if err := os.Rename(other, p); err != nil {
		t.Fatal(err)
	}
	if err := db.Replaced(); !errors.Is(err, index.ErrReplaced) || !strings.Contains(err.Error(), "another file") {
		t.Fatalf("replaced: %v", err)
	}
	os.Remove(p)
	if err := db.Replaced(); !errors.Is(err, index.ErrReplaced) || !strings.Contains(err.Error(), "deleted") {
		t.Fatalf("deleted: %v", err)
	}
}
