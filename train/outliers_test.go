package train

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/model"
)

// testOutliers writes n distinct small PNGs (checkerboards of period
// k + 2) under a temporary folder and loads them.
func testOutliers(t *testing.T, n int) *data.Outliers {
	t.Helper()
	dir := t.TempDir()
	for k := range n {
		img := image.NewGray(image.Rect(0, 0, 48, 48))
		for y := range 48 {
			for x := range 48 {
				if (x/(k+2)+y/(k+2))%2 == 0 {
					img.SetGray(x, y, color.Gray{Y: 200})
				}
			}
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, string(rune('a'+k%3)), string(rune('a'+k))+".png")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o, err := data.LoadOutliers(context.Background(), dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Len() != n {
		t.Fatalf("loaded %d of %d outlier images", o.Len(), n)
	}
	return o
}

// TestOutliersRecorded trains with outlier images: run.json records the
// weight, the folder (absolute), the count and the images per step; Ensure
// finds the finished run again with the same outliers and refuses it
// without them; an interrupted run resumes exactly (the outlier batches
// depend on the step alone); a run without outliers records nothing of
// them (so every run made before keeps its identity and loads); bad
// settings are refused.
func TestOutliersRecorded(t *testing.T) {
	o := testOutliers(t, 5)
	cfg := testConfig(t)
	cfg.Head = string(model.HeadDistance)
	cfg.OutlierWeight = 0.5
	sets := testSets()
	sets.Outliers = o
	dir := filepath.Join(t.TempDir(), "run")
	res := trainOK(t, cfg, sets, dir)
	if !(res.Test.Accuracy >= 0) || res.Test.N == 0 {
		t.Errorf("test figures %+v", res.Test)
	}
	info, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := OutlierInfo{Dir: filepath.ToSlash(o.Dir), Count: 5, PerStep: 16}
	if info.Config.OutlierWeight != 0.5 || info.Config.Outliers == nil || *info.Config.Outliers != want {
		t.Errorf("run.json outlier weight %v, outliers %+v; want 0.5, %+v", info.Config.OutlierWeight, info.Config.Outliers, want)
	}
	testutil.Within(t, testTimeout, func() {
		st, _, err := Ensure(context.Background(), cfg, sets, dir)
		if err != nil || st != RunDone {
			t.Errorf("Ensure with the same outliers: %v, %v; want done", st, err)
		}
		if _, _, err := Ensure(context.Background(), cfg, testSets(), dir); err == nil {
			t.Errorf("Ensure without the outlier images accepted the run")
		}
		plain := testConfig(t)
		plain.Head = cfg.Head
		if _, _, err := Ensure(context.Background(), plain, testSets(), dir); !errors.Is(err, ErrOtherSettings) {
			t.Errorf("Ensure without outliers: %v, want ErrOtherSettings", err)
		}
	})

	part := filepath.Join(t.TempDir(), "part")
	interruptAt(t, cfg, sets, part, 4)
	rcfg := cfg
	rcfg.Resume = true
	trainOK(t, rcfg, sets, part)
	if d := maxCheckpointDiff(t, dir, part); d > 1e-5 {
		t.Errorf("the resumed outlier run differs from the uninterrupted one by %g", d)
	}

	plain := testConfig(t)
	j, err := json.Marshal(plain.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), "outlier") {
		t.Errorf("a run without outliers records them: %s", j)
	}
	for name, mod := range map[string]func(*Config, *Sets){
		"negative weight":      func(c *Config, s *Sets) { c.OutlierWeight = -1 },
		"weight without set":   func(c *Config, s *Sets) { c.OutlierWeight = 1 },
		"set without weight":   func(c *Config, s *Sets) { s.Outliers = o },
		"without a classifier": func(c *Config, s *Sets) { c.OutlierWeight, c.Mode, c.Recon, s.Outliers = 1, model.ModeMSEG, 1, o },
	} {
		c, s := testConfig(t), testSets()
		mod(&c, &s)
		if _, err := Train(context.Background(), c, s, filepath.Join(t.TempDir(), "bad")); err == nil || !strings.Contains(err.Error(), "outlier") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
