package repro

import (
	"strings"
	"testing"
)

// TestCegLossNamesFeatureStop: the ce+g loss's name says when L_G's
// gradient is held back from the features, and only then.
func TestCegLossNamesFeatureStop(t *testing.T) {
	cfg := Config{LGReduction: "mean", LGCenter: 1}
	if s := cegLoss(cfg); strings.Contains(s, "held back") {
		t.Errorf("without the stop: %q", s)
	}
	cfg.LGFeatureStop = 1
	if s := cegLoss(cfg); !strings.Contains(s, "1 of their gradient held back from the encoder's convolutions") {
		t.Errorf("with the stop: %q", s)
	}
}
