package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWrite: the file holds the bytes, is 0644, its folder is created, no
// temporary file is left, and a failed write leaves the old file alone.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "x.json")
	if err := Write(p, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(p); string(b) != "{}" {
		t.Errorf("content %q", b)
	}
	if err := Write(p, []byte("[1]")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "[1]" {
		t.Errorf("rewritten content %q", b)
	}
	if es, _ := os.ReadDir(filepath.Dir(p)); len(es) != 1 {
		t.Errorf("folder holds %d entries, want only the file", len(es))
	}
	// A folder in the way of the rename: an error, the folder intact.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Write(blocked, []byte("x")); err == nil {
		t.Error("writing over a non-empty folder: no error")
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("a failed write left %d entries in the folder, want 2", len(es))
	}
}
