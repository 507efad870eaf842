package train

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
)

// TestRotationHeadRecorded trains with the rotation head (a hidden layer
// of 8 units): run.json records its weight and hidden size, the reopened run has the head and scores images (finite,
// positive: a cross entropy), a run without it records nothing, has no
// head and refuses to score. A negative weight is refused.
func TestRotationHeadRecorded(t *testing.T) {
	cfg := testConfig(t)
	cfg.Head = string(model.HeadDistance)
	cfg.RotationHead, cfg.RotationHidden = 0.5, 8
	dir := filepath.Join(t.TempDir(), "run")
	trainOK(t, cfg, testSets(), dir)
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"rotation_head": 0.5`) || !strings.Contains(string(b), `"rotation_hidden": 8`) {
		t.Errorf("run.json does not record the rotation weight and hidden layer:\n%s", b)
	}
	run, err := OpenRun(dir, cfg.Engine)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if !run.HasRotationHead() {
		t.Fatalf("reopened run has no rotation head")
	}
	img := make([]float32, 3*data.Pixels)
	for i := range img {
		img[i] = float32(i%37) / 37
	}
	s, err := run.RotationScores(img, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range s {
		if !(v > 0) || v > 100 {
			t.Errorf("rotation score %d = %v", i, v)
		}
	}
	plainRun(t, "rotation", (*Run).HasRotationHead, func(r *Run) error {
		_, err := r.RotationScores(img, 3)
		return err
	})
	bad := testConfig(t)
	bad.RotationHead = -1
	if err := bad.WithDefaults().Validate(); err == nil {
		t.Errorf("a negative rotation weight validated")
	}
	hid := testConfig(t)
	hid.RotationHidden = 16
	if err := hid.WithDefaults().Validate(); err == nil {
		t.Errorf("a hidden rotation layer without the rotation weight validated")
	}
}
