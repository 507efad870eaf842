package train

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/model"
)

// TestLGFeatureStopRecorded: a ce+g run trained with L_G held back from
// the features records the share in run.json and reopens; a run without
// it records nothing (old runs read as 0); a share outside [0, 1] is
// refused.
func TestLGFeatureStopRecorded(t *testing.T) {
	cfg := testConfig(t)
	cfg.Mode, cfg.LGFeatureStop = model.ModeCEG, 1
	dir := filepath.Join(t.TempDir(), "run")
	trainOK(t, cfg, testSets(), dir)
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"lg_feature_stop": 1`) {
		t.Errorf("run.json does not record the L_G feature stop:\n%s", b)
	}
	run, err := OpenRun(dir, cfg.Engine)
	if err != nil {
		t.Fatal(err)
	}
	run.Close()
	j, err := json.Marshal(testConfig(t).WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), "lg_feature_stop") {
		t.Errorf("a run without the stop records it: %s", j)
	}
	for _, v := range []float64{-0.1, 1.5, math.NaN()} {
		bad := testConfig(t)
		bad.LGFeatureStop = v
		if err := bad.WithDefaults().Validate(); err == nil {
			t.Errorf("L_G feature stop %v validated", v)
		}
	}
}
