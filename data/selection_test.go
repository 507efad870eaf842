package data

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFileCapped: a sparse file over the cap is
// refused without being read; a FIFO is refused at once, not waited on.
func TestReadFileCapped(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.png")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil { // 3 GB, sparse
		t.Fatal(err)
	}
	f.Close()
	if _, err := ReadFileCapped(big, 0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("3 GB file: %v, want ErrTooLarge", err)
	}
	fifo := filepath.Join(dir, "pipe.png")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := ReadFileCapped(fifo, 0)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Fatalf("FIFO: %v, want ErrNotRegular", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadFileCapped waited on a FIFO")
	}
	small := filepath.Join(dir, "s.png")
	os.WriteFile(small, []byte("12345"), 0o644)
	if b, err := ReadFileCapped(small, 5); err != nil || string(b) != "12345" {
		t.Fatalf("5-byte file, cap 5: %q %v", b, err)
	}
	if _, err := ReadFileCapped(small, 4); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("5-byte file, cap 4: %v", err)
	}
}

// TestSelectTopLevelMacOSX: a top-level __MACOSX folder, as a
// macOS zip makes, is never a class.
func TestSelectTopLevelMacOSX(t *testing.T) {
	dir := t.TempDir()
	for _, rel := range []string{"cats/1.png", "dogs/1.png", "__MACOSX/cats/._1.png", ".git/x"} {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x"), 0o644)
	}
	sel, err := SelectFiles(dir, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sel.Classes, ",") != "cats,dogs" {
		t.Fatalf("classes %v", sel.Classes)
	}
	if len(sel.Ignored) != 2 {
		t.Fatalf("ignored %+v", sel.Ignored)
	}
}

// TestEscapeName: names that are not UTF-8 are shown with \xNN.
func TestEscapeName(t *testing.T) {
	if got := escapeName("caf\xe9/ok"); got != `caf\xe9/ok` {
		t.Fatalf("%q", got)
	}
	if got := escapeName("naïve"); got != "naïve" {
		t.Fatalf("%q", got)
	}
}
