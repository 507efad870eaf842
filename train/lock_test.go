package train

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/internal/flock"
)

// TestTrainRefusesABusyRun: while another process trains a run (its lock
// is held), Train on the same directory is refused before anything is
// read or written.
func TestTrainRefusesABusyRun(t *testing.T) {
	dir := t.TempDir()
	unlock, err := flock.Lock(filepath.Join(dir, LockFile))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	_, err = Train(context.Background(), Config{Resume: true}, Sets{}, dir)
	if !errors.Is(err, ErrRunBusy) {
		t.Fatalf("Train on a locked run: %v, want ErrRunBusy", err)
	}
}
