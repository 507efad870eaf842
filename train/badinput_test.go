package train

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// finishedRun trains a one-epoch run and returns its directory.
func finishedRun(t *testing.T, cfg Config) string {
	t.Helper()
	cfg.Epochs = 1
	dir := filepath.Join(t.TempDir(), "run")
	trainOK(t, cfg, testSets(), dir)
	return dir
}

// expectFailure checks that OpenRun and a resume of dir both fail with an
// error mentioning want, and leave every file of dir as it was.
func expectFailure(t *testing.T, what, dir string, cfg Config, sets Sets, want string) {
	t.Helper()
	before := snapshot(t, dir)
	testutil.Within(t, testTimeout, func() {
		if r, err := OpenRun(dir, engine.Config{}); err == nil {
			r.Close()
			t.Errorf("%s: OpenRun succeeded", what)
		} else if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: OpenRun error %q does not say %q", what, err, want)
		}
		cfg.Resume = true
		cfg.Epochs = 1
		if _, err := Train(context.Background(), cfg, sets, dir); err == nil {
			t.Errorf("%s: resume succeeded", what)
		} else if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: resume error %q does not say %q", what, err, want)
		}
	})
	sameSnapshot(t, what, before, snapshot(t, dir))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptAndTruncatedCheckpoints(t *testing.T) {
	cfg := testConfig(t)
	dir := finishedRun(t, cfg)
	ck := filepath.Join(dir, CheckpointFile)
	good, err := os.ReadFile(ck)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"truncated":        good[:len(good)/2],
		"truncated tail":   good[:len(good)-1],
		"empty":            {},
		"not a checkpoint": []byte("hello, this is not a checkpoint at all, but long enough to have a tail......"),
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	cases["one flipped bit"] = flipped
	for name, b := range cases {
		if err := os.WriteFile(ck, b, 0o644); err != nil {
			t.Fatal(err)
		}
		expectFailure(t, name, dir, cfg, testSets(), "corrupt checkpoint")
	}
	if err := os.Remove(ck); err != nil {
		t.Fatal(err)
	}
	expectFailure(t, "missing checkpoint", dir, cfg, testSets(), "checkpoint")
}

func TestCheckpointFromAnotherModel(t *testing.T) {
	cfg := testConfig(t)
	dir := finishedRun(t, cfg)
	ck := filepath.Join(dir, CheckpointFile)

	wide := cfg
	wide.Width = 32
	copyFile(t, filepath.Join(finishedRun(t, wide), CheckpointFile), ck)
	expectFailure(t, "checkpoint of another width", dir, cfg, testSets(), "width-32")

	four := cfg
	four.Layout, _ = latent.Circle(4, latent.PaperDC, latent.PaperRC)
	fourSets := Sets{Train: stripeSet(96, 1, append(testClasses[:3:3], "dots"))}
	four.Epochs = 1
	d4 := filepath.Join(t.TempDir(), "four")
	trainOK(t, four, fourSets, d4)
	copyFile(t, filepath.Join(d4, CheckpointFile), ck)
	expectFailure(t, "checkpoint of another n_c", dir, cfg, testSets(), "n_c = 4")

	other := cfg
	other.Layout, _ = latent.Circle(3, 1.5, 0.5)
	copyFile(t, filepath.Join(finishedRun(t, other), CheckpointFile), ck)
	expectFailure(t, "checkpoint of another layout", dir, cfg, testSets(), "layout")

	enc := cfg
	enc.Encoder = "sectors"
	copyFile(t, filepath.Join(finishedRun(t, enc), CheckpointFile), ck)
	expectFailure(t, "checkpoint of another encoder", dir, cfg, testSets(), "encoder")
}

func TestDataWithOtherClasses(t *testing.T) {
	cfg := testConfig(t)
	dir := finishedRun(t, cfg)
	// Resume with data whose classes are not the run's.
	renamed := Sets{Train: stripeSet(96, 1, []string{"a", "b", "c"})}
	cfg.Layout, _ = latent.Circle(3, latent.PaperDC, latent.PaperRC)
	before := snapshot(t, dir)
	testutil.Within(t, testTimeout, func() {
		rc := cfg
		rc.Resume = true
		rc.Epochs = 1
		if _, err := Train(context.Background(), rc, renamed, dir); err == nil || !strings.Contains(err.Error(), "classes") {
			t.Errorf("resume with other classes: error %v", err)
		}
		// Evaluate a set with a class the model does not know.
		run, err := OpenRun(dir, engine.Config{})
		if err != nil {
			t.Error(err)
			return
		}
		defer run.Close()
		if _, err := run.Evaluate(stripeSet(9, 4, []string{"hlines", "zigzag", "uniform"}), "x"); err == nil || !strings.Contains(err.Error(), "zigzag") {
			t.Errorf("evaluate with an unknown class: error %v", err)
		}
		// A subset of the classes, in another order, is fine.
		sub := stripeSet(10, 5, []string{"uniform", "hlines"})
		r, err := run.Evaluate(sub, "sub")
		if err != nil {
			t.Errorf("evaluate a subset of the classes: %v", err)
		} else if r.Confusion[2][0]+r.Confusion[2][1]+r.Confusion[2][2] != 5 {
			t.Errorf("subset labels were not mapped by name: confusion %v", r.Confusion)
		}
	})
	sameSnapshot(t, "data with other classes", before, snapshot(t, dir))

	// A new run whose layout does not fit the data's classes.
	bad := testConfig(t)
	bad.Layout, _ = latent.Circle(5, latent.PaperDC, latent.PaperRC)
	nd := filepath.Join(t.TempDir(), "new")
	if _, err := Train(context.Background(), bad, testSets(), nd); err == nil || !strings.Contains(err.Error(), "n_c = 5") {
		t.Errorf("layout of 5 clusters for 3 classes: error %v", err)
	}
	if _, err := os.Stat(nd); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused run created its directory")
	}
}

func TestResumeWithOtherSettings(t *testing.T) {
	cfg := testConfig(t)
	dir := finishedRun(t, cfg)
	before := snapshot(t, dir)
	for name, mod := range map[string]func(*Config){
		"lr":    func(c *Config) { c.LR = 1e-2 },
		"mode":  func(c *Config) { c.Mode = "ce" },
		"width": func(c *Config) { c.Width = 32 },
		"seed":  func(c *Config) { c.Seed = 1 },
	} {
		c := cfg
		c.Epochs = 1
		c.Resume = true
		mod(&c)
		testutil.Within(t, testTimeout, func() {
			if _, err := Train(context.Background(), c, testSets(), dir); err == nil || !strings.Contains(err.Error(), "differ") {
				t.Errorf("resume with another %s: error %v", name, err)
			}
		})
	}
	sameSnapshot(t, "resume with other settings", before, snapshot(t, dir))
}
