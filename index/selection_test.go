package index_test

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

// trickyTree writes an ImageFolder with every case of the selection rule:
// symlinked files and folders, hidden files,
// __MACOSX at the top and inside a class, a folder nested too deep, an
// unreadable file and folder, a FIFO, a name that is not UTF-8.
func trickyTree(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tree")
	img := indextest.Image(1, rand.New(rand.NewPCG(1, 2)))
	put := func(rel string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := indextest.WritePNG(p, img); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{
		"a/1.png", "a/2.png", "b/1.png", "b/sub/2.png",
		"a/.hidden.png", ".top-hidden/x.png", "__MACOSX/a/._1.png", "__MACOSX/b/x.png", "b/__MACOSX/y.png",
		"a/d1/d2/d3/d4/d5/d6/d7/d8/d9/deep.png", "a/d1/d2/d3/d4/d5/d6/d7/d8/ok.png",
		"outside/x.png", "a/locked/z.png", "a/secret.png",
	} {
		put(rel)
	}
	// outside is a class too; links into it from a and b.
	os.Symlink("../outside/x.png", filepath.Join(dir, "a", "link.png"))
	os.Symlink("../outside", filepath.Join(dir, "b", "linkdir"))
	os.Symlink("..", filepath.Join(dir, "a", "loop"))
	if err := syscall.Mkfifo(filepath.Join(dir, "b", "pipe.png"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b", "caf\xe9.png"), []byte("x"), 0o644); err != nil {
		t.Skipf("this file system refuses non-UTF-8 names: %v", err)
	}
	os.Chmod(filepath.Join(dir, "a", "locked"), 0)
	os.Chmod(filepath.Join(dir, "a", "secret.png"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "a", "locked"), 0o755) })
	return dir
}

// TestLoaderAndIndexSelectTheSameFiles runs one tree through data's
// loader and the index: the same images, and the same skipped entries;
// nothing is fatal, __MACOSX is never a class.
func TestLoaderAndIndexSelectTheSameFiles(t *testing.T) {
	dir := trickyTree(t)
	root := os.Geteuid() == 0 // root reads files without permission
	ctx := context.Background()
	base, rep, err := data.LoadImageFolder(ctx, dir, data.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(base.ClassNames, ",") != "a,b,outside" {
		t.Fatalf("classes %v, want a,b,outside (__MACOSX and hidden folders are never classes)", base.ClassNames)
	}
	db, err := index.Open(filepath.Join(t.TempDir(), "idx.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	done := make(chan struct{})
	var res index.Result
	go func() {
		defer close(done)
		res, err = db.IndexFolder(ctx, indextest.NewFake(), dir, index.Options{})
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("index hung (a FIFO in the folder?)")
	}
	if err != nil {
		t.Fatalf("one unreadable file or folder must not abort indexing: %v", err)
	}
	rows, err := db.SQL().QueryContext(ctx, `SELECT path, COALESCE(label, '') FROM records`)
	if err != nil {
		t.Fatal(err)
	}
	var indexed []string
	for rows.Next() {
		var p, label string
		if err := rows.Scan(&p, &label); err != nil {
			t.Fatal(err)
		}
		indexed = append(indexed, p)
		if want, _, _ := strings.Cut(p, "/"); label != want {
			t.Errorf("%s labelled %q", p, label)
		}
	}
	rows.Close()
	loaded := slices.Clone(base.IDs)
	sort.Strings(indexed)
	sort.Strings(loaded)
	if !slices.Equal(indexed, loaded) {
		t.Fatalf("the index selected\n  %v\nthe loader\n  %v", indexed, loaded)
	}
	want := []string{"a/1.png", "a/2.png", "a/d1/d2/d3/d4/d5/d6/d7/d8/ok.png", "a/link.png", "b/1.png", "b/sub/2.png", "outside/x.png"}
	if root {
		want = append(want, "a/locked/z.png", "a/secret.png")
	}
	sort.Strings(want)
	if !slices.Equal(indexed, want) {
		t.Fatalf("selected %v, want %v", indexed, want)
	}
	// Skipped entries: the same list from both, with reasons.
	reasons := func(sk []data.Skip) map[string]string {
		m := map[string]string{}
		for _, s := range sk {
			m[s.Path] = s.Reason
		}
		return m
	}
	lr, ir := reasons(rep.Skipped), reasons(res.NotIndexed)
	for _, p := range []string{"a/d1/d2/d3/d4/d5/d6/d7/d8/d9", "a/loop", "b/linkdir", "b/pipe.png", `b/caf\xe9.png`} {
		if lr[p] == "" || ir[p] == "" {
			t.Errorf("%s: loader skip %q, index skip %q", p, lr[p], ir[p])
		}
	}
	if !root {
		for _, p := range []string{"a/locked", "a/secret.png"} {
			if lr[p] == "" || ir[p] == "" {
				t.Errorf("%s: loader skip %q, index skip %q", p, lr[p], ir[p])
			}
		}
	}
	for p := range ir {
		if _, ok := lr[p]; !ok {
			t.Errorf("index skipped %s (%s), the loader did not", p, ir[p])
		}
	}
	// Nothing hidden or from __MACOSX is selected by either.
	for _, p := range indexed {
		if strings.Contains(p, "__MACOSX") || strings.Contains(p, "/.") || strings.HasPrefix(p, ".") {
			t.Errorf("selected %s", p)
		}
	}
}

// hookModel runs hook before its first Encode call.
type hookModel struct {
	*indextest.Fake
	hook func()
}

func (m *hookModel) Encode(images []float32, n int) ([]float32, error) {
	if m.hook != nil {
		m.hook()
		m.hook = nil
	}
	return m.Fake.Encode(images, n)
}

// TestUnreadableFileNotFatal: a file that cannot be read when its
// turn comes (here: deleted after the folder was listed, which works as
// root too) is listed and skipped; the rest is indexed.
func TestUnreadableFileNotFatal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "coll")
	n, err := indextest.WriteCollection(dir, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := data.SelectFiles(dir, data.SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	last := sel.Files[len(sel.Files)-1]
	m := &hookModel{Fake: indextest.NewFake(), hook: func() { os.Remove(last.Path) }}
	db := openTemp(t)
	res, err := db.IndexFolder(context.Background(), m, dir, index.Options{Batch: 1})
	if err != nil {
		t.Fatalf("a file gone before it was read aborted indexing: %v", err)
	}
	if res.Encoded != n-1 || len(res.NotIndexed) != 1 || res.NotIndexed[0].Path != last.Rel || !strings.Contains(res.NotIndexed[0].Reason, "unreadable") {
		t.Fatalf("%+v, want %d encoded and %s not indexed", res, n-1, last.Rel)
	}
}
