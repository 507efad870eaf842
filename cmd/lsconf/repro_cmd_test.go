package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/report"
	"github.com/lsconf/lsconf/repro"
)

// TestReproQuick runs "lsconf repro --quick" end to end (13 tiny runs),
// checks the report's structure, then runs it again and checks that every
// run is skipped.
func TestReproQuick(t *testing.T) {
	out := t.TempDir()
	stdout, err := runCLI(t, "repro", "--quick", "--out", out)
	if err != nil {
		t.Fatalf("repro --quick: %v\n%s", err, stdout)
	}
	if !strings.Contains(stdout, "13 trained, 0 resumed, 0 already finished") {
		t.Errorf("first run's summary:\n%s", stdout)
	}
	var js struct {
		Quick  bool            `json:"quick"`
		Table2 repro.Table2    `json:"table2"`
		Runs   []any           `json:"runs"`
		Verds  []repro.Verdict `json:"verdicts"`
	}
	b, err := os.ReadFile(filepath.Join(out, report.ReportJSON))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &js); err != nil {
		t.Fatalf("report.json: %v", err)
	}
	if !js.Quick || len(js.Runs) != 13 || len(js.Table2.Columns) != 4 || len(js.Table2.Seeds) != 3 {
		t.Fatalf("report.json: quick %v, %d runs, columns %v, seeds %v", js.Quick, len(js.Runs), js.Table2.Columns, js.Table2.Seeds)
	}
	for c := range js.Table2.Columns {
		for s := range js.Table2.Seeds {
			for _, v := range []float64{js.Table2.Test[c][s], js.Table2.Gen[c][s]} {
				if math.IsNaN(v) || v < 0 || v > 100 {
					t.Errorf("Table 2 cell %s seed %d: %v", js.Table2.Columns[c], js.Table2.Seeds[s], v)
				}
			}
		}
	}
	if len(js.Verds) != 5 {
		t.Errorf("%d verdicts, want 5 (4 claims and the polar encoder)", len(js.Verds))
	}
	for _, v := range js.Verds {
		if v.Outcome == "" || v.Outcome == repro.NotTested || len(v.Evidence) == 0 {
			t.Errorf("verdict %+v", v)
		}
	}

	md, err := os.ReadFile(filepath.Join(out, report.ReportMD))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"QUICK PIPELINE CHECK", "## Verdicts", "### (1) ", "### (2) ", "### (3) ", "### (4) ", "### (5) ",
		"## Table 2", "| 1 | 77 | 62 |", "## Retrieval and clustering on the generalization set", "| MAP@R (sim) |", "## Latent space conformance", "| ce+g post, seed 3 | gen |", "## How this was made", "lsconf repro --out="} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	links := regexp.MustCompile(`\]\((figures/[^)]+)\)`).FindAllSubmatch(md, -1)
	if len(links) < 8 {
		t.Errorf("report.md links %d figures, want the 3 LS grids, Figures 5 and 6, curves and 2 confusion grids", len(links))
	}
	for _, l := range links {
		checkPNG(t, filepath.Join(out, string(l[1])))
	}
	ls, _ := filepath.Glob(filepath.Join(out, repro.FiguresDir, "ls-*.png"))
	if len(ls) != 6+2*6+1 {
		t.Errorf("%d LS figures, want 19 (6 ce+g, 6 ce at two views, 1 polar)", len(ls))
	}
	html, err := os.ReadFile(filepath.Join(out, report.ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(html, []byte("http://")) || bytes.Contains(html, []byte("https://")) {
		t.Error("report.html refers to the network")
	}
	for _, m := range regexp.MustCompile(`<img src="([^"]+)"`).FindAllSubmatch(html, -1) {
		checkPNG(t, filepath.Join(out, string(m[1])))
	}

	stdout, err = runCLI(t, "repro", "--quick", "--out", out)
	if err != nil {
		t.Fatalf("second repro --quick: %v", err)
	}
	if !strings.Contains(stdout, "0 trained, 0 resumed, 13 already finished") {
		t.Errorf("second run's summary:\n%s", stdout)
	}
	// Bad flags are refused before anything runs.
	if _, err := runCLI(t, "repro", "--quick"); err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("repro without --out: %v", err)
	}
	if _, err := runCLI(t, "repro", "--quick", "--out", t.TempDir(), "--polar", "none,sectors"); err == nil {
		t.Error("--polar none,sectors: no error")
	}
}

// checkPNG fails unless path is a non-empty PNG file.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("figure: %v", err)
		return
	}
	if len(b) < 100 || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("%s is not a PNG (%d bytes)", path, len(b))
	}
}
