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
	plain := testConfig(t)
	j, err := json.Marshal(plain.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), "contrastive") {
		t.Errorf("a run without the contrastive term records it: %s", j)
	}
	pdir := filepath.Join(t.TempDir(), "plain")
	trainOK(t, plain, testSets(), pdir)
	pr, err := OpenRun(pdir, plain.Engine)
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if pr.HasContrastiveHead() {
		t.Errorf("a run without the contrastive weight has the head")
	}
	if _, err := pr.ContrastiveProjections(img, 3); err == nil {
		t.Errorf("projections of a run without the head: no error")
	}
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
