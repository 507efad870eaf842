package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lsconf/lsconf/train"
)

// runCLI runs lsconf with args and returns its stdout, failing the test
// if it does not finish within 4 minutes (backend hang).
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		root := newRootCmd()
		root.SetArgs(append([]string{"-q"}, args...))
		root.SetOut(&out)
		root.SetErr(&bytes.Buffer{})
		err = root.Execute()
	}()
	select {
	case <-done:
	case <-time.After(4 * time.Minute):
		t.Fatalf("lsconf %v did not finish within 4 minutes (backend hang?)", args)
	}
	return out.String(), err
}

// TestTrainEvalEncodeCommands trains a tiny run on an ImageFolder with the
// CLI, then evaluates it and writes its encodings.
func TestTrainEvalEncodeCommands(t *testing.T) {
	tmp := t.TempDir()
	imgs := filepath.Join(tmp, "imgs")
	writeFolder(t, imgs, 12, 1)
	run := filepath.Join(tmp, "run")
	args := []string{"train", "--data", imgs, "--width", "16", "--epochs", "1", "--batch", "16",
		"--aug-per-image", "1", "--lr", "3e-3", "--out", run}
	out, err := runCLI(t, append(args, "--json")...)
	if err != nil {
		t.Fatalf("train: %v", err)
	}
	var res train.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("train --json output %q: %v", out, err)
	}
	if !res.Finished || res.Test == nil || res.Test.N != 6 || res.Gen != nil || len(res.ID) != 16 {
		t.Errorf("train result: finished %v test %+v gen %+v id %q", res.Finished, res.Test, res.Gen, res.ID)
	}
	info, err := train.ReadRunInfo(run)
	if err != nil {
		t.Fatal(err)
	}
	if info.Layout.NC() != 3 || info.Data.Train != imgs || info.Data.Split != "pre" || info.Data.TrainLen != 90 {
		t.Errorf("run.json: n_c %d data %+v", info.Layout.NC(), info.Data)
	}

	// The run is not replaced without --resume or --force.
	if _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), "--resume") {
		t.Errorf("second train into the same folder: error %v", err)
	}
	// Resuming a finished run does nothing.
	if _, err := runCLI(t, "train", "--resume", "--out", run); err != nil {
		t.Errorf("resume of a finished run: %v", err)
	}
	// ... and refuses other settings.
	if _, err := runCLI(t, "train", "--resume", "--out", run, "--lr", "0.1"); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("resume with another lr: error %v", err)
	}

	// eval without --data rebuilds the run's test set.
	out, err = runCLI(t, "eval", "--run", run)
	if err != nil {
		t.Fatalf("eval: %v", err)
	}
	var ev evalOutput
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatalf("eval output %q: %v", out, err)
	}
	if ev.ID != res.ID || len(ev.Results) != 1 || ev.Results[0].N != 6 || ev.Results[0].Accuracy != res.Test.Accuracy {
		t.Errorf("eval: %+v, train said test accuracy %v", ev, res.Test.Accuracy)
	}
	if len(ev.Metrics) != 1 || ev.Metrics[0].Sim.Queries+ev.Metrics[0].Sim.Skipped != 6 || ev.Metrics[0].L2.K != 10 || ev.Metrics[0].Clustering.N != 6 {
		t.Errorf("eval metrics: %+v", ev.Metrics)
	}
	out, err = runCLI(t, "eval", "--run", run, "--data", imgs)
	if err != nil {
		t.Fatalf("eval --data: %v", err)
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil || len(ev.Results) != 1 || ev.Results[0].N != 36 || len(ev.Results[0].Confusion) != 3 {
		t.Errorf("eval --data: %v %+v", err, ev)
	}
	other := filepath.Join(tmp, "other")
	for _, c := range []string{"a", "b"} {
		os.MkdirAll(filepath.Join(other, c), 0o755)
		copyAny(t, filepath.Join(imgs, "hlines", "00.png"), filepath.Join(other, c, "x.png"))
	}
	if _, err := runCLI(t, "eval", "--run", run, "--data", other); err == nil || !strings.Contains(err.Error(), "classes") {
		t.Errorf("eval with other classes: error %v", err)
	}

	// encode writes one row per image.
	csvPath := filepath.Join(tmp, "z.csv")
	if _, err := runCLI(t, "encode", "--run", run, "--data", imgs, "--out", csvPath); err != nil {
		t.Fatalf("encode: %v", err)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"path", "label", "z0", "z1", "nearest", "outside", "predicted", "p_hlines", "p_uniform", "p_vlines", "open_set_score"}
	if len(rows) != 37 || strings.Join(rows[0], ",") != strings.Join(want, ",") {
		t.Errorf("encode: %d rows, header %v", len(rows), rows[0])
	} else if r := rows[1]; r[0] != filepath.Join("hlines", "00.png") && r[0] != "hlines/00.png" || r[1] != "hlines" {
		t.Errorf("encode: first row %v", r)
	} else {
		sum := 0.0
		for _, c := range r[7:10] {
			p, err := strconv.ParseFloat(c, 64)
			if err != nil || p < 0 || p > 1 {
				t.Errorf("encode: probability %q", c)
			}
			sum += p
		}
		if s, err := strconv.ParseFloat(r[10], 64); err != nil || s < 0 || math.Abs(sum-1) > 1e-4 {
			t.Errorf("encode: probabilities sum to %v, open-set score %q", sum, r[10])
		}
	}
	// the same as JSON
	jsonPath := filepath.Join(tmp, "z.json")
	if _, err := runCLI(t, "encode", "--run", run, "--data", imgs, "--out", jsonPath); err != nil {
		t.Fatalf("encode JSON: %v", err)
	}
	var js []struct {
		Path           string    `json:"path"`
		Probs          []float64 `json:"probs"`
		Score          *float64  `json:"open_set_score"`
		PredictedClass string    `json:"predicted_class"`
	}
	if b, err := os.ReadFile(jsonPath); err != nil || json.Unmarshal(b, &js) != nil || len(js) != 36 || len(js[0].Probs) != 3 || js[0].Score == nil || js[0].PredictedClass != rows[1][6] {
		t.Errorf("encode JSON: %v, %d images, first %+v", err, len(js), js[0])
	}

	// plot draws the LS figure, the curves and the test confusion matrix
	// (no generalization set in this run), PNG and SVG.
	figs := filepath.Join(tmp, "figs")
	out, err = runCLI(t, "plot", "--run", run, "--out", figs, "--view", "auto", "--svg", "--dpi", "50")
	if err != nil {
		t.Fatalf("plot: %v", err)
	}
	if lines := strings.Fields(out); len(lines) != 3 {
		t.Errorf("plot printed %q, want 3 figures", out)
	}
	for _, name := range []string{"ls", "curves", "confusion-test"} {
		checkPNG(t, filepath.Join(figs, name+".png"))
		if b, err := os.ReadFile(filepath.Join(figs, name+".svg")); err != nil || !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("%s.svg: %v", name, err)
		}
	}
	if _, err := runCLI(t, "plot", "--run", run, "--out", figs, "--view", "sideways"); err == nil || !strings.Contains(err.Error(), "--view") {
		t.Errorf("plot --view sideways: error %v", err)
	}
	if _, err := runCLI(t, "plot", "--run", run, "--out", figs, "--data", other); err == nil || !strings.Contains(err.Error(), "not a class") {
		t.Errorf("plot with other classes: error %v", err)
	}
}

func copyAny(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
