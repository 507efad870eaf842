package index_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
)

func openTemp(t *testing.T) *index.DB {
	t.Helper()
	db, err := index.Open(filepath.Join(t.TempDir(), "idx.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestIndexFolderResumeAndChanges(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "coll")
	n, err := indextest.WriteCollection(dir, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	// A non-image file with an image name, and an unrelated file: both are
	// read and listed as not decodable (the content decides, as in data's
	// loader; data.SelectFiles).
	os.WriteFile(filepath.Join(dir, "broken.png"), []byte("not a png"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	db := openTemp(t)
	m := indextest.NewFake()
	res, err := db.IndexFolder(ctx, m, dir, index.Options{Batch: 4, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoded != n || res.Skipped != 0 || strings.Join(res.Unreadable, ",") != "broken.png,notes.txt" {
		t.Fatalf("first run: %+v, want %d encoded and broken.png, notes.txt unreadable", res, n)
	}
	// Resume: nothing to encode.
	calls := m.Calls
	res, err = db.IndexFolder(ctx, m, dir, index.Options{Batch: 4, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoded != 0 || res.Skipped != n || m.Calls != calls {
		t.Fatalf("second run: %+v (encode calls %d -> %d), want all %d skipped", res, calls, m.Calls, n)
	}
	// Change one file's content, remove another, add a new one.
	rng := rand.New(rand.NewPCG(9, 9))
	changed := filepath.Join(dir, "dots", "dots_000.png")
	if err := indextest.WritePNG(changed, indextest.Image(0, rng)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "uniform", "uniform_001.png"))
	if err := indextest.WritePNG(filepath.Join(dir, "unlabelled.png"), indextest.Image(2, rng)); err != nil {
		t.Fatal(err)
	}
	res, err = db.IndexFolder(ctx, m, dir, index.Options{Batch: 4, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Encoded != 2 || res.Changed != 1 || res.Removed != 1 || res.Skipped != n-2 {
		t.Fatalf("third run: %+v, want 2 encoded (1 changed), 1 removed, %d skipped", res, n-2)
	}
	cols, err := db.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 1 || cols[0].Name != "coll" || cols[0].Count != n || cols[0].Labels["uniform"] != 6 || cols[0].Labels[""] != 1 {
		t.Fatalf("collections %+v", cols)
	}
	// The changed file now encodes near centre 0 (its new content).
	snap, err := db.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i, id := range snap.IDs {
		r, err := db.Record(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Path == "dots/dots_000.png" {
			found = true
			if snap.V[i*5] < 0.5 || r.Label != "dots" {
				t.Fatalf("changed record %+v: v %v, want near uniform's centre", r, snap.V[i*5:i*5+5])
			}
		}
	}
	if !found {
		t.Fatal("changed record missing")
	}
	rep, err := db.Check(ctx)
	if err != nil || !rep.OK() || rep.Records != n {
		t.Fatalf("check %+v %v", rep, err)
	}
}

func TestModelMismatch(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "c")
	if _, err := indextest.WriteCollection(dir, 2, 2); err != nil {
		t.Fatal(err)
	}
	db := openTemp(t)
	if _, err := db.Identity(ctx); !errors.Is(err, index.ErrNoModel) {
		t.Fatalf("empty index identity: %v", err)
	}
	if _, err := db.IndexFolder(ctx, indextest.NewFake(), dir, index.Options{}); err != nil {
		t.Fatal(err)
	}
	other := indextest.NewFake()
	other.Name = "another-run"
	_, err := db.IndexFolder(ctx, other, dir, index.Options{Collection: "second"})
	if !errors.Is(err, index.ErrModelMismatch) {
		t.Fatalf("extending with another model: %v, want ErrModelMismatch", err)
	}
	if err := db.CheckModel(ctx, other); !errors.Is(err, index.ErrModelMismatch) {
		t.Fatalf("CheckModel: %v", err)
	}
	// The same collection name for another folder is refused.
	dir2 := filepath.Join(t.TempDir(), "c")
	indextest.WriteCollection(dir2, 1, 3)
	if _, err := db.IndexFolder(ctx, indextest.NewFake(), dir2, index.Options{}); err == nil {
		t.Fatal("same collection name, other folder: no error")
	}
	id, err := db.Identity(ctx)
	if err != nil || id.ModelID != "fake-v1" || len(id.Classes) != 5 || id.Layout.NC() != 5 {
		t.Fatalf("identity %+v %v", id, err)
	}
}

func TestIndexSetAndImages(t *testing.T) {
	ctx := context.Background()
	set := &memSet{classes: indextest.Classes}
	rng := rand.New(rand.NewPCG(4, 4))
	for i := 0; i < 10; i++ {
		img := indextest.Image(i%5, rng)
		px := make([]float32, index.Pixels)
		for k, b := range img.Pix {
			px[k] = float32(b) / 255
		}
		set.images = append(set.images, px)
		set.labels = append(set.labels, i%5)
	}
	db := openTemp(t)
	res, err := db.IndexSet(ctx, indextest.NewFake(), "gen", set, index.Options{Batch: 3})
	if err != nil || res.Encoded != 10 {
		t.Fatalf("%+v %v", res, err)
	}
	snap, err := db.Load(ctx, "gen")
	if err != nil {
		t.Fatal(err)
	}
	if snap.Len() != 10 || snap.Labels[3] != "squares" || snap.Collections[0] != "gen" {
		t.Fatalf("snapshot %+v", snap)
	}
	r, err := db.Record(ctx, snap.IDs[3])
	if err != nil {
		t.Fatal(err)
	}
	b, ct, err := r.Image()
	if err != nil || ct != "image/png" {
		t.Fatalf("image: %v %s", err, ct)
	}
	px, err := index.DecodeImage(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range px {
		if d := px[i] - set.images[3][i]; d > 0.003 || d < -0.003 {
			t.Fatalf("stored pixel %d = %v, want %v", i, px[i], set.images[3][i])
		}
	}
	if r.File() != "" {
		t.Fatalf("generated record has a file %q", r.File())
	}
	if _, err := db.Load(ctx, "nope"); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("unknown collection: %v", err)
	}
	if _, err := db.Record(ctx, 12345); !errors.Is(err, index.ErrNotFound) {
		t.Fatalf("unknown record: %v", err)
	}
}

func TestDecodeImage(t *testing.T) {
	if _, err := index.DecodeImage([]byte("hello, not an image")); !errors.Is(err, index.ErrNotImage) {
		t.Fatalf("garbage: %v", err)
	}
	// A GIF header claiming 26400x29281 pixels is refused before decoding.
	if _, err := index.DecodeImage([]byte("GIF89a garbage")); err == nil {
		t.Fatal("huge GIF header: no error")
	}
	// A 64x48 image, left half black, right half white: the resize keeps
	// the halves and averages nothing across them.
	dir := t.TempDir()
	p := filepath.Join(dir, "a.png")
	big := newHalf(64, 48)
	if err := indextest.WritePNG(p, big); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	px, err := index.DecodeImage(b)
	if err != nil {
		t.Fatal(err)
	}
	for y := 0; y < 32; y++ {
		for x := 0; x < 32; x++ {
			want := float32(0)
			if x >= 16 {
				want = 1
			}
			if d := px[y*32+x] - want; d > 1e-6 || d < -1e-6 {
				t.Fatalf("pixel %d,%d = %v, want %v", x, y, px[y*32+x], want)
			}
		}
	}
}

// TestIndexFolderClassMap: a folder with a class map (as lsconf data gen
// writes it, with its contact sheet at the top) indexes only the images of
// its class folders; without the class map a top-level image is indexed,
// unlabelled.
func TestIndexFolderClassMap(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "coll")
	n, err := indextest.WriteCollection(dir, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	if err := indextest.WritePNG(filepath.Join(dir, "contact.png"), indextest.Image(1, rng)); err != nil {
		t.Fatal(err)
	}
	m := indextest.NewFake()
	db := openTemp(t)
	res, err := db.IndexFolder(ctx, m, dir, index.Options{Batch: 4, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != n+1 {
		t.Fatalf("without a class map: %d images, want %d (the top-level image too)", res.Images, n+1)
	}
	if err := data.WriteClassMap(filepath.Join(dir, data.ClassMapFile), &data.ClassMap{Classes: indextest.Classes}); err != nil {
		t.Fatal(err)
	}
	res, err = db.IndexFolder(ctx, m, dir, index.Options{Batch: 4, Prune: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != n || res.Removed != 1 {
		t.Fatalf("with a class map: %+v, want %d images and the contact sheet removed", res, n)
	}
	if c, err := db.Count(ctx); err != nil || c != n {
		t.Fatalf("count %d (%v), want %d", c, err, n)
	}
}
