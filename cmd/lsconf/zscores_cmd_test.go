package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/repro"
	"github.com/lsconf/lsconf/train"
)

// TestReproOpenSetZScoresOracle runs "repro --open-set --quick --z-scores
// --oracle" on ce and the default method: every run carries the z-space
// scores in range with their calibrated outside shares and the spread of
// each coordinate of z, the oracle is trained on all 10 classes and
// scored by its softmax mass on the unknown ones, and the report has
// both tables; with --oracle every run also carries the linear probe
// oracles.
func TestReproOpenSetZScoresOracle(t *testing.T) {
	needFashionMNIST(t)
	out := t.TempDir()
	if stdout, err := runCLI(t, "repro", "--open-set", "--quick", "--z-scores", "--oracle", "--methods", "ce,ce+g distance", "--out", out); err != nil {
		t.Fatalf("repro --open-set --quick --z-scores --oracle: %v\n%s", err, stdout)
	}
	dir := filepath.Join(out, repro.OpenSetDir)
	res := readOpenSetResult(t, dir)
	if len(res.Runs) != 3 || !res.Config.ZScores || !res.Config.Oracle {
		t.Fatalf("%d runs, config %+v", len(res.Runs), res.Config)
	}
	in := func(x float64) bool { return x >= 0 && x <= 1 }
	for _, r := range res.Runs {
		if r.Method == repro.OracleMethod {
			s, ok := r.Scores[repro.ScoreOracleMass]
			o, cal := r.ScoreOutside[repro.ScoreOracleMass]
			if !ok || !cal || !in(s.AUROC) || !in(s.TPRAt5FPR) || !in(o[0]) || !in(o[1]) || len(r.Scores) != 1 {
				t.Errorf("oracle: scores %+v, outside %v", r.Scores, r.ScoreOutside)
			}
			info, err := train.ReadRunInfo(filepath.Join(dir, r.Dir))
			if err != nil {
				t.Fatal(err)
			}
			if info.Layout.NC() != 10 || info.Config.Mode != "ce" {
				t.Errorf("oracle trained %d classes in mode %s, want all 10 with ce", info.Layout.NC(), info.Config.Mode)
			}
			continue
		}
		for _, name := range []string{repro.ScoreZMaha, repro.ScoreZMahaClass, repro.ScoreZMahaVal, repro.ScoreZSum} {
			s, ok := r.Scores[name]
			if !ok || !in(s.AUROC) || !in(s.FPRAt95TPR) || !in(s.TPRAt5FPR) {
				t.Errorf("%s: %s %+v (present %v)", r.Method, name, s, ok)
			}
			o, cal := r.ScoreOutside[name]
			if cal != (name != repro.ScoreZMahaVal) || cal && (!in(o[0]) || !in(o[1])) {
				t.Errorf("%s: %s calibrated outside %v (present %v)", r.Method, name, o, cal)
			}
		}
		for _, name := range []string{repro.ScoreProbeFeatures, repro.ScoreProbeZ} {
			s, ok := r.Scores[name]
			o, cal := r.ScoreOutside[name]
			if !ok || !cal || !in(s.AUROC) || !in(s.TPRAt5FPR) || !in(o[0]) || !in(o[1]) {
				t.Errorf("%s: %s %+v, outside %v (present %v, %v)", r.Method, name, s, o, ok, cal)
			}
		}
		if _, ok := r.Scores[repro.ScoreZPerpMaha]; ok {
			t.Errorf("%s: a z_⊥ score in the simplex layout, which leaves no room outside the span", r.Method)
		}
		if len(r.ZSD) != 5 {
			t.Errorf("%s: z sd %v, want 5 coordinates", r.Method, r.ZSD)
		}
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil || !strings.Contains(string(md), "| "+repro.ScoreZSum+" |") || !strings.Contains(string(md), "Spread of each coordinate of z") || !strings.Contains(string(md), repro.ScoreOracleMass) {
		t.Errorf("report.md lacks the z scores, the spread or the oracle (%v)", err)
	}
}

// TestReproOpenSetVariantCycle: --variant-cycle and --variant-lg-span
// train the variant with the decoder's cycle term and L_G on the centres'
// span only (recorded in run.json and the run folder's name), adds the z_⊥ score in a layout with extra dimensions, and is
// refused without --variant-recon.
func TestReproOpenSetVariantCycle(t *testing.T) {
	needFashionMNIST(t)
	if _, err := runCLI(t, "repro", "--open-set", "--quick", "--variant-cycle", "0.1", "--out", t.TempDir()); err == nil {
		t.Errorf("--variant-cycle without --variant-recon was accepted")
	}
	res, dir := runOpenSetVariant(t, "--extra-dims", "2", "--variant-recon", "1", "--variant-cycle", "0.1", "--variant-lg-span", "--z-scores")
	r := res.Runs[0]
	if !strings.HasSuffix(r.Dir, "ceg-distance-v-x2-recon1-cycle0.1-span") {
		t.Errorf("run folder %s", r.Dir)
	}
	info, err := train.ReadRunInfo(filepath.Join(dir, r.Dir))
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.Recon != 1 || info.Config.Cycle != 0.1 || !info.Config.LGSpan {
		t.Errorf("run.json recon %v cycle %v span only %v, want 1, 0.1 and true", info.Config.Recon, info.Config.Cycle, info.Config.LGSpan)
	}
	if s, ok := r.Scores[repro.ScoreZPerpMaha]; !ok || s.AUROC < 0 || s.AUROC > 1 {
		t.Errorf("%s: %+v (present %v)", repro.ScoreZPerpMaha, s, ok)
	}
	if len(r.ZSD) != 7 {
		t.Errorf("z sd %v, want 7 coordinates", r.ZSD)
	}
}

// readOpenSetResult reads the report.json of the open-set folder dir.
func readOpenSetResult(t *testing.T, dir string) repro.OpenSetResult {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var res repro.OpenSetResult
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// needFashionMNIST skips the test when Fashion-MNIST is not installed.
func needFashionMNIST(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(data.FashionMNISTDir); err != nil {
		t.Skip("Fashion-MNIST not installed (scripts/setup.sh installs it)")
	}
}
