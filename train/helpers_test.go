package train

import (
	"context"
	"crypto/sha256"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/latent"
)

// testTimeout bounds every test that trains or encodes: a backend hang
// fails the test loudly instead of stalling the suite.
const testTimeout = 4 * time.Minute

// stripeSet is a small synthetic set of three easy classes (horizontal
// stripes, vertical stripes, flat grey with noise) named names.
func stripeSet(n int, seed uint64, names []string) *data.MemSet {
	rng := rand.New(rand.NewPCG(seed, 77))
	s := &data.MemSet{ClassNames: names}
	for i := 0; i < n; i++ {
		c := i % len(names)
		img := make([]float32, data.Pixels)
		period := 4 + rng.IntN(5)
		phase := rng.IntN(period)
		level := 0.3 + 0.4*rng.Float64()
		for r := 0; r < data.Size; r++ {
			for col := 0; col < data.Size; col++ {
				v := level
				switch c % 3 {
				case 0:
					if (r+phase)%period < period/2 {
						v = 1 - level
					}
				case 1:
					if (col+phase)%period < period/2 {
						v = 1 - level
					}
				}
				v += 0.1 * (rng.Float64() - 0.5)
				img[r*data.Size+col] = float32(min(max(v, 0), 1))
			}
		}
		s.Images = append(s.Images, img)
		s.Labels = append(s.Labels, c)
	}
	return s
}

var testClasses = []string{"hlines", "vlines", "uniform"}

// testSets are the small train/test/gen sets of the tests.
func testSets() Sets {
	return Sets{Train: stripeSet(96, 1, testClasses), Test: stripeSet(30, 2, testClasses), Gen: stripeSet(12, 3, testClasses)}
}

// testConfig is a tiny, quick run: width divisor 16, 2 epochs of 3
// batches.
func testConfig(t *testing.T) Config {
	t.Helper()
	l, err := latent.Circle(3, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	return Config{Mode: "ce+g", Width: 16, Epochs: 2, BatchSize: 32, LR: 3e-3, Seed: 7, Layout: l, LogEvery: 2}
}

// trainOK trains and fails the test on error.
func trainOK(t *testing.T, cfg Config, sets Sets, dir string) *Result {
	t.Helper()
	var res *Result
	testutil.Within(t, testTimeout, func() {
		var err error
		res, err = Train(context.Background(), cfg, sets, dir)
		if err != nil {
			t.Errorf("train %s: %v", dir, err)
		}
	})
	if res == nil {
		t.FailNow()
	}
	return res
}

// snapshot hashes every file of dir, to prove that a failed call left it
// untouched.
func snapshot(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(b)
	}
	return out
}

func sameSnapshot(t *testing.T, what string, a, b map[string][32]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%s: the run directory changed: %d files before, %d after", what, len(a), len(b))
		return
	}
	for name, h := range a {
		if b[name] != h {
			t.Errorf("%s: %s was modified", what, name)
		}
	}
}

// interruptAt trains cfg into dir and cancels it after step steps: the
// call must return context.Canceled.
func interruptAt(t *testing.T, cfg Config, sets Sets, dir string, step int64) *Result {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg.AfterStep = func(s int64) {
		if s == step {
			cancel()
		}
	}
	var res *Result
	testutil.Within(t, testTimeout, func() {
		var err error
		if res, err = Train(ctx, cfg, sets, dir); !errors.Is(err, context.Canceled) {
			t.Errorf("interrupted run: error %v, want context.Canceled", err)
		}
	})
	return res
}

// maxCheckpointDiff is the largest difference between any weight or Adam
// moment of the checkpoints of two runs.
func maxCheckpointDiff(t *testing.T, dirA, dirB string) float64 {
	t.Helper()
	a, err := readCheckpoint(filepath.Join(dirA, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	b, err := readCheckpoint(filepath.Join(dirB, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	va, vb := tensorValues(a.State), tensorValues(b.State)
	d := 0.0
	for i := range va {
		for k := range va[i] {
			d = math.Max(d, math.Abs(float64(va[i][k]-vb[i][k])))
		}
	}
	return d
}
