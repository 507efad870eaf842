package train

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/model"
)

// TestPlaceholdersRecorded trains with placeholder negatives: run.json
// records the weight and the kind, the run's figures are finite, and a
// run.json without them (every run made before) reads as none and keeps
// its identity. Bad settings are refused.
func TestPlaceholdersRecorded(t *testing.T) {
	cfg := testConfig(t)
	cfg.Head = string(model.HeadDistance)
	cfg.Placeholders, cfg.PlaceholderKind = 1, string(model.PlaceholderCutMix)
	dir := filepath.Join(t.TempDir(), "run")
	res := trainOK(t, cfg, testSets(), dir)
	if !(res.Test.Accuracy >= 0) || res.Test.N == 0 {
		t.Errorf("test figures %+v", res.Test)
	}
	info, err := ReadRunInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Placeholders != 1 || info.Config.PlaceholderKind != "cutmix" {
		t.Errorf("run.json placeholders %v, kind %q; want 1, cutmix", info.Config.Placeholders, info.Config.PlaceholderKind)
	}
	b, err := os.ReadFile(filepath.Join(dir, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"placeholders": 1`) {
		t.Errorf("run.json does not record the weight:\n%s", b)
	}
	// without placeholders the fields are absent, as in older runs
	plain := testConfig(t)
	j, err := json.Marshal(plain.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(j), "placeholder") {
		t.Errorf("a run without placeholders records them: %s", j)
	}
	for name, mod := range map[string]func(*Config){
		"negative weight":      func(c *Config) { c.Placeholders = -1 },
		"kind without weight":  func(c *Config) { c.PlaceholderKind = "mixup" },
		"unknown kind":         func(c *Config) { c.Placeholders, c.PlaceholderKind = 1, "blend" },
		"without a classifier": func(c *Config) { c.Placeholders, c.Mode, c.Recon = 1, model.ModeMSEG, 1 },
	} {
		c := testConfig(t)
		mod(&c)
		if err := c.WithDefaults().Validate(); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
}
