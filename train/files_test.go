package train

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteAtomicMode: files written atomically are readable by others
// (0644), not CreateTemp's 0600, and hold what was written.
func TestWriteAtomicMode(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.json")
	if err := writeAtomic(p, []byte("{}")); err != nil {
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
}
