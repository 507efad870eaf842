package train

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/model"
)

// TestContrastiveRecorded trains with the contrastive term: run.json
// records its weight and temperature, the reopened run has the head and
// projects images onto the unit sphere (trained with the turned
// negatives too); a run without it records
// nothing, has no head and refuses to project. A negative weight, and a
// temperature without a weight, are refused.
func TestContrastiveRecorded(t *testing.T) {
	cfg := testConfig(t)
	cfg.Contrastive, cfg.ContrastiveTemp, cfg.ContrastiveTurned = 0.5, 0.3, true
	run := trainedRun(t, cfg, (*Run).HasContrastiveHead, `"contrastive": 0.5`, `"contrastive_temp": 0.3`, `"contrastive_turned": true`)
	defer run.Close()
	img := rampImages(3)
	p, err := run.ContrastiveProjections(img, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 3*model.ContrastiveDim {
		t.Fatalf("%d projection values for 3 images", len(p))
	}
	for i := range 3 {
		s := 0.0
		for _, v := range p[i*model.ContrastiveDim : (i+1)*model.ContrastiveDim] {
			s += float64(v) * float64(v)
		}
		if math.Abs(s-1) > 1e-4 {
			t.Errorf("projection %d has squared norm %v", i, s)
		}
	}
	plainRun(t, "contrastive", (*Run).HasContrastiveHead, func(r *Run) error {
		_, err := r.ContrastiveProjections(img, 3)
		return err
	})
	bad := testConfig(t)
	bad.Contrastive = -1
	if err := bad.WithDefaults().Validate(); err == nil {
		t.Errorf("a negative contrastive weight validated")
	}
	temp := testConfig(t)
	temp.ContrastiveTemp = 0.2
	if err := temp.WithDefaults().Validate(); err == nil {
		t.Errorf("a contrastive temperature without the weight validated")
	}
	turned := testConfig(t)
	turned.ContrastiveTurned = true
	if err := turned.WithDefaults().Validate(); err == nil {
		t.Errorf("turned negatives without the contrastive weight validated")
	}
}

// plainRun checks a run trained without an optional head: its config
// does not name it (key), the reopened run has no head (has) and refuses
// to use it (use returns an error).
func plainRun(t *testing.T, key string, has func(*Run) bool, use func(*Run) error) {
	t.Helper()
	plain := testConfig(t)
	j, err := json.Marshal(plain.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), key) {
		t.Errorf("a run without the %s records it: %s", key, j)
	}
	dir := filepath.Join(t.TempDir(), "plain")
	trainOK(t, plain, testSets(), dir)
	r, err := OpenRun(dir, plain.Engine)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if has(r) {
		t.Errorf("a run without the %s weight has the head", key)
	}
	if err := use(r); err == nil {
		t.Errorf("a run without the %s used it: no error", key)
	}
}

// trainedRun trains cfg, checks that run.json holds every string of want
// and that the reopened run has the head (has); the caller closes it.
func trainedRun(t *testing.T, cfg Config, has func(*Run) bool, want ...string) *Run {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "run")
	trainOK(t, cfg, testSets(), dir)
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		if !strings.Contains(string(b), w) {
			t.Errorf("run.json does not record %s:\n%s", w, b)
		}
	}
	run, err := OpenRun(dir, cfg.Engine)
	if err != nil {
		t.Fatal(err)
	}
	if !has(run) {
		run.Close()
		t.Fatalf("the reopened run has no head")
	}
	return run
}

// rampImages returns n images of pixels (i mod 37) / 37.
func rampImages(n int) []float32 {
	img := make([]float32, n*data.Pixels)
	for i := range img {
		img[i] = float32(i%37) / 37
	}
	return img
}
