package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/internal/testutil"
)

// TestDivergenceIsReported trains with an absurd learning rate: the run
// stops with ErrDiverged and keeps no checkpoint of non-finite weights.
func TestDivergenceIsReported(t *testing.T) {
	cfg := testConfig(t)
	cfg.LR = 1e12
	cfg.Epochs = 3
	dir := filepath.Join(t.TempDir(), "run")
	testutil.Within(t, testTimeout, func() {
		_, err := Train(context.Background(), cfg, testSets(), dir)
		if !errors.Is(err, ErrDiverged) {
			t.Errorf("lr 1e12: error %v, want ErrDiverged", err)
			return
		}
		t.Logf("%v", err)
		if _, err := os.Stat(filepath.Join(dir, CheckpointFile)); err == nil {
			if _, err := readCheckpoint(filepath.Join(dir, CheckpointFile)); err != nil {
				t.Errorf("the kept checkpoint is unreadable: %v", err)
			}
		}
	})
}
