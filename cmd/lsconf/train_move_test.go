package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/train"
)

// TestRunMoves: a run trained with a relative
// --data is evaluated and resumed from another working directory and
// after the project folder moved; --resume refuses other --data unless
// --force-data; --log-every is kept on resume.
func TestRunMoves(t *testing.T) {
	tmp := t.TempDir()
	proj := filepath.Join(tmp, "proj")
	writeFolder(t, filepath.Join(proj, "imgs"), 12, 1)
	writeFolder(t, filepath.Join(proj, "other"), 12, 2)
	t.Chdir(proj)
	if _, err := runCLI(t, "train", "--data", "imgs", "--width", "16", "--epochs", "2", "--batch", "16",
		"--aug-per-image", "1", "--log-every", "3", "--out", "runs/r"); err != nil {
		t.Fatalf("train: %v", err)
	}
	moved := filepath.Join(tmp, "moved")
	if err := os.Rename(proj, moved); err != nil {
		t.Fatal(err)
	}
	t.Chdir(tmp)
	run := filepath.Join(moved, "runs", "r")
	if _, err := runCLI(t, "eval", "--run", run); err != nil {
		t.Fatalf("eval from another folder after the move: %v", err)
	}
	info, err := train.ReadRunInfo(run)
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.LogEvery != 3 || info.Data.TrainFromRun != "../../imgs" || info.Data.Hash == "" {
		t.Fatalf("run.json: log every %d, data %+v", info.Config.LogEvery, info.Data)
	}
	_, err = runCLI(t, "train", "--resume", "--out", run, "--data", filepath.Join(moved, "other"))
	if err == nil || !strings.Contains(err.Error(), "--force-data") {
		t.Fatalf("resume with other --data: %v", err)
	}
	if _, err := runCLI(t, "train", "--resume", "--out", run, "--data", filepath.Join(moved, "imgs")); err != nil {
		t.Fatalf("resume naming the run's own data: %v", err)
	}
	if _, err := runCLI(t, "train", "--resume", "--out", run, "--log-every", "5"); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Fatalf("resume with another --log-every: %v", err)
	}
}
