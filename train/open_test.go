package train

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/testutil"
)

func TestOpenRunEncodes(t *testing.T) {
	cfg := testConfig(t)
	dir := filepath.Join(t.TempDir(), "run")
	res := trainOK(t, cfg, testSets(), dir)
	testutil.Within(t, testTimeout, func() {
		run, err := OpenRun(dir, engine.Config{})
		if err != nil {
			t.Error(err)
			return
		}
		defer run.Close()
		if run.ID() != res.ID || len(run.ID()) != 16 {
			t.Errorf("run ID %q, Train reported %q", run.ID(), res.ID)
		}
		if !run.Finished() || run.Layout().NC() != 3 || len(run.Classes()) != 3 || run.Sectors() != nil {
			t.Errorf("run: finished %v layout n_c %d classes %v sectors %v", run.Finished(), run.Layout().NC(), run.Classes(), run.Sectors())
		}
		// Encode the test set image by image in one call (more than one
		// internal batch) and compare with the evaluation of the run.
		set := testSets().Test
		imgs := make([]float32, 0, set.Len()*data.Pixels)
		buf := make([]float32, data.Pixels)
		for i := 0; i < set.Len(); i++ {
			if _, err := set.Image(i, buf); err != nil {
				t.Error(err)
				return
			}
			imgs = append(imgs, buf...)
		}
		z, err := run.Encode(imgs, set.Len())
		if err != nil {
			t.Error(err)
			return
		}
		if len(z) != set.Len()*2 {
			t.Errorf("%d encodings values for %d images", len(z), set.Len())
			return
		}
		z2, err := run.Encode(imgs[:5*data.Pixels], 5)
		if err != nil {
			t.Error(err)
			return
		}
		for i := range z2 {
			if z2[i] != z[i] {
				t.Errorf("encoding depends on the batch: %v vs %v", z2[i], z[i])
				break
			}
		}
		ev, err := run.Evaluate(set, "test")
		if err != nil {
			t.Error(err)
			return
		}
		var rep EvalReport
		b, err := os.ReadFile(filepath.Join(dir, EvalFile))
		if err != nil {
			t.Error(err)
			return
		}
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Error(err)
			return
		}
		if rep.ID != run.ID() || rep.Test == nil || math.Abs(rep.Test.Accuracy-ev.Accuracy) > 1e-12 || math.Abs(rep.Test.LG-ev.LG) > 1e-9 {
			t.Errorf("eval.json (id %s, test %+v) disagrees with a fresh evaluation (id %s, %+v)", rep.ID, rep.Test, run.ID(), ev)
		}
		if _, err := run.Encode(imgs[:10], 1); err == nil {
			t.Errorf("Encode accepted 10 values as one image")
		}
	})
	// Opening twice gives the same identity.
	r2, err := OpenRun(dir, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if r2.ID() != res.ID {
		t.Errorf("second open: ID %s, want %s", r2.ID(), res.ID)
	}
}
