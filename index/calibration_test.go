package index_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/index"
	"github.com/lsconf/lsconf/index/indextest"
	"github.com/lsconf/lsconf/latent"
)

// calibratedFake is the fake model with a calibrated outside threshold.
type calibratedFake struct {
	*indextest.Fake
	cal *latent.Calibration
}

func (c calibratedFake) Calibration() *latent.Calibration { return c.cal }

// TestIdentityKeepsCalibration: the calibrated threshold of the model that
// built an index is stored with its identity; a model without one leaves
// none.
func TestIdentityKeepsCalibration(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "coll")
	if _, err := indextest.WriteCollection(dir, 3, 1); err != nil {
		t.Fatal(err)
	}
	cal := &latent.Calibration{OpenSetRule: latent.RuleFor(0), TPR: 0.95, Threshold: 1.25, N: 40, On: "test"}
	for _, tc := range []struct {
		m    index.Model
		want *latent.Calibration
	}{{calibratedFake{indextest.NewFake(), cal}, cal}, {indextest.NewFake(), nil}} {
		db, err := index.Open(filepath.Join(t.TempDir(), "idx.db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.IndexFolder(ctx, tc.m, dir, index.Options{}); err != nil {
			t.Fatal(err)
		}
		id, err := db.Identity(ctx)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.want == nil && id.Outside != nil:
			t.Errorf("uncalibrated model: identity has threshold %+v", id.Outside)
		case tc.want != nil && (id.Outside == nil || *id.Outside != *tc.want):
			t.Errorf("calibrated model: identity threshold %+v, want %+v", id.Outside, tc.want)
		}
	}
}
