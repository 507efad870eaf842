package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/train"
)

// tinyDecoderRun writes a folder of stripe images under tmp and trains a
// tiny run with the decoder on it through the CLI; base is the train
// command without --recon and --out, for runs to compare.
func tinyDecoderRun(t *testing.T, tmp string) (imgs, run string, base []string) {
	t.Helper()
	imgs = filepath.Join(tmp, "imgs")
	writeFolder(t, imgs, 12, 1)
	run = filepath.Join(tmp, "run")
	base = []string{"train", "--data", imgs, "--width", "16", "--epochs", "1", "--batch", "16", "--aug-per-image", "1", "--lr", "3e-3"}
	if _, err := runCLI(t, append(base, "--recon", "1", "--out", run)...); err != nil {
		t.Fatalf("train with the decoder: %v", err)
	}
	return imgs, run, base
}

// TestDecodeCommand trains a tiny run with the decoder through the CLI,
// then decodes centres, a point, a path and reconstructions into a PNG
// and measures the round trips; a run without a decoder is refused.
func TestDecodeCommand(t *testing.T) {
	tmp := t.TempDir()
	imgs, run, base := tinyDecoderRun(t, tmp)
	classes := cmdClasses
	grid := filepath.Join(tmp, "grid.png")
	out, err := runCLI(t, "decode", "--run", run, "--centres", "--point", "0.1,-0.2", "--between", classes[0], classes[1], "--steps", "5",
		"--inputs", imgs, "--out", grid, "--json")
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	var d report.Decoded
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("decode --json %q: %v", out, err)
	}
	want := []int{len(classes), 1, 5, len(classes), len(classes)}
	if len(d.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(d.Rows), len(want), d.Rows)
	}
	for i, n := range want {
		if len(d.Rows[i].Points) != n || len(d.Rows[i].Labels) != n {
			t.Errorf("row %q: %d points, %d labels, want %d", d.Rows[i].Caption, len(d.Rows[i].Points), len(d.Rows[i].Labels), n)
		}
	}
	// The LS points are round-trip corrected by default, recorded per row;
	// the reconstructions are plain.
	for i, r := range d.Rows {
		corrected := i < 3
		if (r.RoundTrip != nil) != corrected || (len(r.DecoderInputs) == len(r.Points)) != corrected {
			t.Errorf("row %q: round trip %+v, %d decoder inputs", r.Caption, r.RoundTrip, len(r.DecoderInputs))
		}
		if corrected && (r.RoundTrip.Correction != train.DefaultRoundTrip() || r.RoundTrip.Error > r.RoundTrip.PlainError) {
			t.Errorf("row %q: round trip %+v", r.Caption, r.RoundTrip)
		}
	}
	out, err = runCLI(t, "decode", "--run", run, "--centres", "--round-trip", "0", "--out", grid, "--json")
	if err != nil {
		t.Fatalf("decode --round-trip 0: %v", err)
	}
	var pd report.Decoded
	if err := json.Unmarshal([]byte(out), &pd); err != nil || len(pd.Rows) != 1 || pd.Rows[0].RoundTrip != nil || pd.Rows[0].DecoderInputs != nil {
		t.Errorf("decode --round-trip 0: %v, %s", err, out)
	}
	if p := d.Rows[2].Points; p[2][0] != (p[0][0]+p[4][0])/2 {
		t.Errorf("path midpoint %v is not halfway between %v and %v", p[2], p[0], p[4])
	}
	f, err := os.Open(grid)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() < 5*96 {
		t.Errorf("grid PNG: %v (err %v)", img, err)
	}
	out, err = runCLI(t, "decode", "--run", run, "--cycle", "--data", imgs, "--json")
	if err != nil {
		t.Fatalf("decode --cycle: %v", err)
	}
	var cy struct {
		Cycle          train.Cycle          `json:"cycle"`
		Reconstruction train.Reconstruction `json:"reconstruction"`
	}
	if err := json.Unmarshal([]byte(out), &cy); err != nil {
		t.Fatal(err)
	}
	if len(cy.Cycle.Centres) != len(classes) || cy.Reconstruction.MSE <= 0 || len(cy.Reconstruction.Classes) != len(classes) || cy.Cycle.RoundTrip == nil {
		t.Errorf("cycle output %s", out)
	}
	// Mode mse+g: reconstruction + L_G without the cross entropy, weight 1
	// by default.
	ae := filepath.Join(tmp, "ae")
	if _, err := runCLI(t, append(base, "--mode", "mse+g", "--out", ae)...); err != nil {
		t.Fatalf("train --mode mse+g: %v", err)
	}
	if info, err := train.ReadRunInfo(ae); err != nil || info.Config.Recon != 1 || !info.Model.Decoder || info.Config.Mode != "mse+g" {
		t.Errorf("mse+g run.json: %+v, %v", info, err)
	}
	plain := filepath.Join(tmp, "plain")
	if _, err := runCLI(t, append(base, "--out", plain)...); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "decode", "--run", plain, "--centres", "--out", filepath.Join(tmp, "x.png")); err == nil {
		t.Error("decode of a run without a decoder did not fail")
	}
}
