package data

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteImageFolderAtomic: the tree appears whole; an existing folder
// is kept unless replace is set, then swapped; no temporary folder is left.
func TestWriteImageFolderAtomic(t *testing.T) {
	ctx := context.Background()
	b := textures(t, TrainSet, 2, 1)
	root := t.TempDir()
	dir := filepath.Join(root, "set")
	if err := WriteImageFolderAtomic(ctx, dir, b, ClassMap{Set: "train"}, nil, false); err != nil {
		t.Fatal(err)
	}
	got, _, err := LoadImageFolder(ctx, dir, LoadOptions{})
	if err != nil || got.Len() != b.Len() {
		t.Fatalf("written tree: %v, %d images, want %d", err, got.Len(), b.Len())
	}
	marker := filepath.Join(dir, "marker")
	if err := os.WriteFile(marker, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteImageFolderAtomic(ctx, dir, b, ClassMap{Set: "train"}, nil, false); err == nil {
		t.Error("over an existing set without replace: no error")
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the existing set was touched: %v", err)
	}
	if err := WriteImageFolderAtomic(ctx, dir, b, ClassMap{Set: "train"}, nil, true); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("replace kept the old set: %v", err)
	}
	if es, _ := os.ReadDir(root); len(es) != 1 {
		t.Errorf("%d entries beside the set, want only the set", len(es))
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("set folder: %v %v", st.Mode(), err)
	}
}
