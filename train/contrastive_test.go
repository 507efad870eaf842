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
	dir := filepath.Join(t.TempDir(), "run")
	trainOK(t, cfg, testSets(), dir)
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"contrastive": 0.5`) || !strings.Contains(string(b), `"contrastive_temp": 0.3`) || !strings.Contains(string(b), `"contrastive_turned": true`) {
		t.Errorf("run.json does not record the contrastive weight, temperature and turned negatives:\n%s", b)
	}
	run, err := OpenRun(dir, cfg.Engine)
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if !run.HasContrastiveHead() {
		t.Fatalf("reopened run has no contrastive head")
	}
	img := make([]float32, 3*data.Pixels)
	for i := range img {
		img[i] = float32(i%37) / 37
	}
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
