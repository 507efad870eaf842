package train

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/testutil"
	"github.com/lsconf/lsconf/model"
)

// TestDecoderRunResumesAndDecodes trains a tiny run with the decoder,
// interrupted and resumed: the resumed checkpoint equals an uninterrupted
// run's, eval.json reports the reconstruction error per class, and the
// opened run decodes points; a classifier-only run records neither the
// reconstruction weight nor the decoder and refuses to decode.
func TestDecoderRunResumesAndDecodes(t *testing.T) {
	cfg := testConfig(t)
	cfg.Recon = 1
	full := filepath.Join(t.TempDir(), "full")
	res := trainOK(t, cfg, testSets(), full)
	if res.Test == nil || res.Test.Reconstruction == nil || len(res.Test.Reconstruction.Classes) != 3 {
		t.Fatalf("test evaluation without a per-class reconstruction error: %+v", res.Test)
	}
	rec := res.Test.Reconstruction
	for _, c := range rec.Classes {
		if c.N != 10 || !(c.MSE > 0 && c.MSE < 1) {
			t.Errorf("class %s: %d images, MSE %v", c.Class, c.N, c.MSE)
		}
	}
	part := filepath.Join(t.TempDir(), "part")
	interruptAt(t, cfg, testSets(), part, 4)
	rcfg := cfg
	rcfg.Resume = true
	trainOK(t, rcfg, testSets(), part)
	a, err := readCheckpoint(filepath.Join(full, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Model.Decoder || len(a.State.Params) != len(model.Specs(a.Model)) {
		t.Fatalf("checkpoint model %+v with %d tensors", a.Model, len(a.State.Params))
	}
	if d := maxCheckpointDiff(t, full, part); d > 1e-5 {
		t.Fatalf("resumed decoder run differs from the uninterrupted one by %g", d)
	}
	run, err := OpenRun(full, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	testutil.Within(t, testTimeout, func() {
		if !run.HasDecoder() {
			t.Error("the run has no decoder")
		}
		var centres []float32
		for _, c := range run.Layout().Centers() {
			for _, v := range c {
				centres = append(centres, float32(v))
			}
		}
		img, err := run.Decode(centres, 3)
		if err != nil {
			t.Error(err)
			return
		}
		if len(img) != 3*data.Pixels {
			t.Errorf("decoded %d values", len(img))
		}
		cy, err := run.Cycle(9, RoundTrip{})
		if err != nil {
			t.Error(err)
			return
		}
		if len(cy.Centres) != 3 || cy.Pairs != 3 || cy.Points != 3*7 || cy.Nearer > cy.Points || cy.CentresWithin > 3 {
			t.Errorf("cycle %+v", cy)
		}
		for _, c := range cy.Centres {
			if c.Within != (c.Distance <= c.Radius) || math.IsNaN(c.Distance) {
				t.Errorf("centre round trip %+v", c)
			}
		}
		// The round-trip correction brings the round trips closer than
		// plain decoding, and its images are what the encoder reads.
		rc, err := run.Cycle(9, DefaultRoundTrip())
		if err != nil {
			t.Error(err)
			return
		}
		if st := rc.RoundTrip; st == nil || !(st.Error < st.PlainError) || !(rc.MeanPathError < cy.MeanPathError) || st.Decodes <= st.Points {
			t.Errorf("corrected round trips %+v (mean path error %v), plain %v", st, rc.MeanPathError, cy.MeanPathError)
		}
		cimg, _, st, err := run.DecodeRoundTrip(centres, 3, DefaultRoundTrip())
		if err != nil {
			t.Error(err)
			return
		}
		if dimg, err := (RoundTripDecoder{Run: run, RoundTrip: DefaultRoundTrip()}).Decode(centres, 3); err != nil || !slices.Equal(dimg, cimg) {
			t.Errorf("RoundTripDecoder (serve's click) decodes otherwise than DecodeRoundTrip: %v", err)
		}
		cz, err := run.Encode(cimg, 3)
		if err != nil {
			t.Error(err)
			return
		}
		var sum float64
		for c, centre := range run.Layout().Centers() {
			var d2 float64
			for d, v := range centre {
				d2 += (float64(cz[2*c+d]) - v) * (float64(cz[2*c+d]) - v)
			}
			sum += math.Sqrt(d2)
		}
		if math.Abs(sum/3-st.Error) > 1e-4 {
			t.Errorf("the corrected centres encode %v from their centres, the correction reported %v", sum/3, st.Error)
		}
		ev, err := run.Evaluate(testSets().Test, "test")
		if err != nil {
			t.Error(err)
			return
		}
		if ev.Reconstruction == nil || math.Abs(ev.Reconstruction.MSE-rec.MSE) > 1e-6 {
			t.Errorf("reopened run's reconstruction %+v, the run's own %v", ev.Reconstruction, rec.MSE)
		}
	})

	plain := filepath.Join(t.TempDir(), "plain")
	trainOK(t, testConfig(t), testSets(), plain)
	rj, err := os.ReadFile(filepath.Join(plain, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(rj), "recon") || strings.Contains(string(rj), "decoder") {
		t.Errorf("a classifier-only run.json mentions the decoder:\n%s", rj)
	}
	var ev EvalReport
	eb, _ := os.ReadFile(filepath.Join(plain, EvalFile))
	if err := json.Unmarshal(eb, &ev); err != nil || ev.Test == nil || ev.Test.Reconstruction != nil {
		t.Errorf("classifier-only eval.json: %v, reconstruction %v", err, ev.Test)
	}
	pr, err := OpenRun(plain, engine.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if pr.HasDecoder() {
		t.Error("a classifier-only run has a decoder")
	}
	if _, err := pr.Decode([]float32{0, 0}, 1); err == nil {
		t.Error("a classifier-only run decoded a point")
	}
	if _, err := pr.Cycle(9, RoundTrip{}); err == nil {
		t.Error("a classifier-only run measured a cycle")
	}
}

func TestPath(t *testing.T) {
	for _, c := range []struct{ p, want float64 }{{-1, math.Sqrt(2)}, {1, 1}, {3, math.Sqrt(2)}} {
		if d := segmentDistance([]float64{c.p, 1}, []float64{0, 0}, []float64{2, 0}); math.Abs(d-c.want) > 1e-12 {
			t.Errorf("distance of (%v, 1) to [(0,0), (2,0)]: %v, want %v", c.p, d, c.want)
		}
	}
	p := Path([]float64{0, 1}, []float64{2, -1}, 5)
	want := [][]float64{{0, 1}, {0.5, 0.5}, {1, 0}, {1.5, -0.5}, {2, -1}}
	for i := range want {
		for k := range want[i] {
			if math.Abs(p[i][k]-want[i][k]) > 1e-12 {
				t.Fatalf("path %v, want %v", p, want)
			}
		}
	}
}

// TestCycleRunResumesAndRecords trains a tiny run with the cycle term,
// interrupted and resumed: the resumed checkpoint equals an uninterrupted
// run's (the term's points depend on the seed and step only), run.json
// records the weight and metrics.jsonl the cycle error; a run.json
// written before the term existed reads as a run without it.
func TestCycleRunResumesAndRecords(t *testing.T) {
	cfg := testConfig(t)
	cfg.Recon, cfg.Cycle = 1, 2
	full := filepath.Join(t.TempDir(), "full")
	trainOK(t, cfg, testSets(), full)
	part := filepath.Join(t.TempDir(), "part")
	interruptAt(t, cfg, testSets(), part, 3)
	rcfg := cfg
	rcfg.Resume = true
	trainOK(t, rcfg, testSets(), part)
	if d := maxCheckpointDiff(t, full, part); d > 1e-5 {
		t.Fatalf("resumed cycle run differs from the uninterrupted one by %g", d)
	}
	info, err := ReadRunInfo(full)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Cycle != 2 || info.Config.CycleTrains != model.CycleEncoder {
		t.Errorf("run.json records cycle %v, trains %q", info.Config.Cycle, info.Config.CycleTrains)
	}
	lines, err := ReadMetrics(filepath.Join(full, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	epochs := 0
	for _, l := range lines {
		if l.Kind == KindEpoch {
			epochs++
			if !(l.Train.Cycle > 0) || math.IsInf(l.Train.Cycle, 0) {
				t.Errorf("epoch %d: cycle error %v", l.Epoch, l.Train.Cycle)
			}
		}
	}
	if epochs != cfg.Epochs {
		t.Errorf("%d epoch lines, want %d", epochs, cfg.Epochs)
	}
	// A run.json of a decoder run made before the term existed.
	rj, err := os.ReadFile(filepath.Join(full, RunFile))
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(strings.Replace(string(rj), `"cycle": 2,`, "", 1), `"cycle_trains": "encoder",`, "", 1)
	if len(old) != len(rj)-len(`"cycle": 2,`)-len(`"cycle_trains": "encoder",`) {
		t.Fatalf("run.json has no cycle field to remove:\n%s", rj)
	}
	// ... and one made before the side was recorded: both sides.
	both := strings.Replace(string(rj), `"cycle_trains": "encoder",`, "", 1)
	if both == string(rj) {
		t.Fatalf("run.json has no cycle side to remove:\n%s", rj)
	}
	if err := os.WriteFile(filepath.Join(full, RunFile), []byte(both), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err = ReadRunInfo(full); err != nil || info.Config.CycleTrains != model.CycleBoth {
		t.Errorf("a run.json without the side reads as %+v, %v", info, err)
	}
	if err := os.WriteFile(filepath.Join(full, RunFile), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	info, err = ReadRunInfo(full)
	if err != nil {
		t.Fatalf("an older run.json: %v", err)
	}
	if info.Config.Cycle != 0 || info.Config.Recon != 1 {
		t.Errorf("older run.json reads as cycle %v, recon %v", info.Config.Cycle, info.Config.Recon)
	}
	bad := cfg
	bad.Recon = 0
	if err := bad.WithDefaults().Validate(); err == nil {
		t.Error("a cycle weight without the decoder was accepted")
	}
}
