package train

import (
	"testing"

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
	run := trainedRun(t, cfg, (*Run).HasRotationHead, `"rotation_head": 0.5`, `"rotation_hidden": 8`)
	defer run.Close()
	img := rampImages(3)
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
