package data

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/internal/flock"
)

// setLabel rewrites label i of a plain (not gzipped) label file.
func setLabel(t *testing.T, path string, i int, v uint8) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[8+i] = v
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestIDXStrayLabel: one label of 255 in a 3-class set is refused with
// the file, the index and the value, with and without class names; the
// importer refuses it too and writes no folder.
func TestIDXStrayLabel(t *testing.T) {
	dir := t.TempDir()
	writeIDXSet(t, dir, 30, 12, 28, 28, 3, false)
	setLabel(t, filepath.Join(dir, "train-labels-idx1-ubyte"), 17, 255)
	for _, names := range [][]string{nil, {"a", "b", "c"}} {
		_, err := LoadIDXDir(dir, names)
		if err == nil || !strings.Contains(err.Error(), "label 255 of image 17") || !strings.Contains(err.Error(), "train-labels") {
			t.Fatalf("names %v: %v, want the stray label refused with its index and value", names, err)
		}
	}
	out := filepath.Join(t.TempDir(), "out")
	if _, err := ImportIDX(context.Background(), IDXPrefix+dir, "test", 0, out, false, nil); err == nil || !strings.Contains(err.Error(), "label 255") {
		t.Fatalf("import: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("import wrote a folder for a refused set")
	}
	// A label beyond the classes.txt names.
	setLabel(t, filepath.Join(dir, "train-labels-idx1-ubyte"), 17, 2)
	os.WriteFile(filepath.Join(dir, "classes.txt"), []byte("a\nb\n"), 0o644)
	if _, err := LoadIDXDir(dir, nil); err == nil || !strings.Contains(err.Error(), "outside the 2 classes") {
		t.Fatalf("label beyond classes.txt: %v", err)
	}
}

// TestIDXTrailingBytesAndFalseGzip: bytes after the data (plain or after
// the gzip stream) and a ".gz" name on a plain file are refused.
func TestIDXTrailingBytesAndFalseGzip(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	EncodeIDX(&buf, []int{3}, []uint8{0, 1, 2})
	plain := filepath.Join(dir, "l")
	os.WriteFile(plain, append(bytes.Clone(buf.Bytes()), 9, 9), 0o644)
	if _, err := ReadIDX(plain); err == nil || !strings.Contains(err.Error(), "2 bytes after the data") {
		t.Fatalf("trailing bytes: %v", err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(append(bytes.Clone(buf.Bytes()), 7))
	zw.Close()
	os.WriteFile(plain+".gz", z.Bytes(), 0o644)
	if _, err := ReadIDX(plain + ".gz"); err == nil || !strings.Contains(err.Error(), "1 bytes after the data") {
		t.Fatalf("trailing byte inside gzip: %v", err)
	}
	z.Reset()
	zw = gzip.NewWriter(&z)
	zw.Write(buf.Bytes())
	zw.Close()
	os.WriteFile(plain+".gz", append(z.Bytes(), "junk"...), 0o644)
	if _, err := ReadIDX(plain + ".gz"); err == nil || !strings.Contains(err.Error(), "follow the gzip stream") {
		t.Fatalf("bytes after the gzip stream: %v", err)
	}
	os.WriteFile(plain+".gz", buf.Bytes(), 0o644)
	if _, err := ReadIDX(plain + ".gz"); err == nil || !strings.Contains(err.Error(), "not gzip") {
		t.Fatalf("false .gz: %v", err)
	}
	os.WriteFile(plain+".gz", z.Bytes(), 0o644)
	if x, err := ReadIDX(plain + ".gz"); err != nil || len(x.Data) != 3 {
		t.Fatalf("good gzip: %v", err)
	}
}

// TestImportIDXStreams: importing 4,000 images keeps far less in use than
// holding them (each written image is 12 KB as a base image): the import
// streams from the IDX file to the PNG files.
func TestImportIDXStreams(t *testing.T) {
	dir := t.TempDir()
	const n = 4000
	writeIDXSet(t, dir, 4, n, 28, 28, 10, true)
	out := filepath.Join(t.TempDir(), "out")
	var peak uint64
	var ms runtime.MemStats
	res, err := ImportIDX(context.Background(), IDXPrefix+dir, "test", 0, out, false, func(done, total int) {
		if done%500 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Images != n {
		t.Fatalf("%d images written, want %d", res.Images, n)
	}
	// Holding the set as base images alone would take n * 12 KB = 47 MiB.
	if peak > 20<<20 {
		t.Fatalf("heap in use reached %d MiB while importing %d images: the import holds the set", peak>>20, n)
	}
	b, _, err := LoadImageFolder(context.Background(), out, LoadOptions{})
	if err != nil || b.Len() != n {
		t.Fatalf("load back: %v", err)
	}
}

// TestKilledImportLeftoversRemoved: a temporary folder left by a killed
// writer (its lock file present, no process holding it) is removed by the
// next write of the same folder; one held by a live writer is kept.
func TestKilledImportLeftoversRemoved(t *testing.T) {
	parent := t.TempDir()
	dead := filepath.Join(parent, ".out.tmp-123")
	os.MkdirAll(filepath.Join(dead, "a"), 0o755)
	os.WriteFile(filepath.Join(dead, tempLockFile), nil, 0o644)
	live := filepath.Join(parent, ".out.tmp-456")
	os.MkdirAll(live, 0o755)
	unlock, err := flock.Lock(filepath.Join(live, tempLockFile))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	b := &Base{ClassNames: []string{"a", "b"}, RGB: [][]uint8{make([]uint8, BasePix), make([]uint8, BasePix)}, Labels: []int{0, 1}, IDs: []string{"0", "1"}}
	if err := WriteImageFolderAtomic(context.Background(), filepath.Join(parent, "out"), b, ClassMap{}, nil, false); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dead); err == nil {
		t.Fatal("the dead writer's temporary folder is still there")
	}
	if _, err := os.Stat(live); err != nil {
		t.Fatal("the live writer's temporary folder was removed")
	}
	if _, err := os.Stat(filepath.Join(parent, "out", tempLockFile)); err == nil {
		t.Fatal("the lock file was left in the written folder")
	}
}

// TestIDXSetTooLargeRefused: a header declaring more images than a set
// held in memory may take is refused before the images are read.
func TestIDXSetTooLargeRefused(t *testing.T) {
	dir := t.TempDir()
	n := int(MaxIDXSetBytes/Pixels) + 1
	var b bytes.Buffer
	lab := make([]uint8, n)
	for i := range lab {
		lab[i] = uint8(i % 2)
	}
	EncodeIDX(&b, []int{n}, lab)
	os.WriteFile(filepath.Join(dir, "train-labels-idx1-ubyte"), b.Bytes(), 0o644)
	b.Reset()
	EncodeIDX(&b, []int{n, 28, 28}, nil) // the header alone
	os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), b.Bytes(), 0o644)
	b.Reset()
	EncodeIDX(&b, []int{2}, []uint8{0, 1})
	os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), b.Bytes(), 0o644)
	b.Reset()
	EncodeIDX(&b, []int{2, 28, 28}, make([]uint8, 2*784))
	os.WriteFile(filepath.Join(dir, "t10k-images-idx3-ubyte"), b.Bytes(), 0o644)
	if _, err := LoadIDXDir(dir, nil); err == nil || !strings.Contains(err.Error(), "data import --per-class") {
		t.Fatalf("a set over MaxIDXSetBytes: %v", err)
	}
}
