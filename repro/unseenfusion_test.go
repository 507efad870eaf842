package repro

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/internal/document"
	"github.com/lsconf/lsconf/metrics"
)

// TestUnseenStandardScoresReadNoTestImage: the images that standardise
// the unseen experiment's sums are the known classes' non-test images
// alone. Changing every test image's score and every held-out image's
// score (to values that would move any mean or sd) leaves the fitted
// standardisers, and so every non-changed image's fused score, as they
// were; the fused score of a known test image is its parts standardised
// by the known generalization images' mean and sd, worked by hand.
func TestUnseenStandardScoresReadNoTestImage(t *testing.T) {
	// images: held-out class 1; labels, test flags
	labels := []int{0, 0, 1, 2, 2, 0, 1, 2, 0}
	isTest := []bool{true, false, true, false, true, false, false, false, true}
	held := 1
	// standardising images (label != 1, not test): indices 1, 3, 5, 7
	mk := func(poison float64) map[string][]float64 {
		a := []float64{9, 1, 9, 2, 9, 3, 9, 4, 9}
		b := []float64{9, 10, 9, 20, 9, 30, 9, 40, 9}
		for i := range labels {
			if isTest[i] || labels[i] == held {
				a[i] += poison
				b[i] -= 3 * poison
			}
		}
		return map[string][]float64{ScoreRotation: a, ScoreAllKNN10: b}
	}
	val := unseenStandardScores(mk(0), labels, isTest, held)
	if !slices.Equal(val[ScoreRotation], []float64{1, 2, 3, 4}) || !slices.Equal(val[ScoreAllKNN10], []float64{10, 20, 30, 40}) {
		t.Fatalf("standardising scores %v, want the known generalization images' only", val)
	}
	for _, poison := range []float64{1e6, -7e5} {
		if got := unseenStandardScores(mk(poison), labels, isTest, held); !slices.Equal(got[ScoreRotation], val[ScoreRotation]) || !slices.Equal(got[ScoreAllKNN10], val[ScoreAllKNN10]) {
			t.Errorf("test or held-out scores moved by %g changed the standardising scores: %v", poison, got)
		}
	}
	// the rotation + all-levels fusion of a known test image with
	// rotation 5 and k-NN 50: mean 2.5 and 25, sd sqrt(5/3) and
	// 10 sqrt(5/3)
	pos := map[string][]float64{ScoreRotation: {5}, ScoreAllKNN10: {50}}
	names, err := addFusions(unseenFusions(ScoreRunRule, "1-max p"), unseenStandardScores(mk(1e6), labels, isTest, held), pos)
	if err != nil || !slices.Equal(names, []string{ScoreFuseRotAll, ScoreMaxRotAll}) {
		t.Fatal(names, err)
	}
	sd := math.Sqrt(5.0 / 3)
	if want := (5-2.5)/sd + (50-25)/(10*sd); !near(pos[ScoreFuseRotAll][0], want) {
		t.Errorf("fused %v, want %v", pos[ScoreFuseRotAll][0], want)
	}
}

// TestUnseenFusionsByHand: the three-part fusion adds the run's LS score
// (the MSP on a run without one), the rotation score and the all-levels
// k-NN, each standardised on the standardising images; the rotation sum
// and the z sum are fusions on the run's open-set score.
func TestUnseenFusionsByHand(t *testing.T) {
	parts := func(fs []fusion, name string) []string {
		for _, f := range fs {
			if f.Name == name {
				return f.Parts
			}
		}
		return nil
	}
	g := unseenFusions(ScoreRunRule, "1-max p")
	if p := parts(g, ScoreFuseLSRotAll); !slices.Equal(p, []string{ScoreRunRule, ScoreRotation, ScoreAllKNN10}) {
		t.Errorf("ce+g three-part fusion parts %v", p)
	}
	if parts(g, ScoreFuseMSPRotAll) != nil {
		t.Error("a run with an LS score got the MSP three-part fusion")
	}
	c := unseenFusions("", "1-max p")
	if p := parts(c, ScoreFuseMSPRotAll); !slices.Equal(p, []string{"1-max p", ScoreRotation, ScoreAllKNN10}) {
		t.Errorf("ce three-part fusion parts %v", p)
	}
	for _, fs := range [][]fusion{g, c} {
		if p := parts(fs, rotationPlus(ScoreRunRule)); !slices.Equal(p, []string{ScoreRunRule, ScoreRotation}) {
			t.Errorf("rotation sum parts %v", p)
		}
		if p := parts(fs, ScoreZSum); !slices.Equal(p, []string{ScoreRunRule, ScoreZMaha}) {
			t.Errorf("z sum parts %v", p)
		}
		if p := parts(fs, ScoreFuseRotAll); !slices.Equal(p, []string{ScoreRotation, ScoreAllKNN10}) {
			t.Errorf("rotation + all levels parts %v", p)
		}
	}
	// by hand: LS mean 1 sd 1; rotation mean 0 sd 2; k-NN mean 10 sd 5
	val := map[string][]float64{ScoreRunRule: {0, 1, 2}, ScoreRotation: {-2, 0, 2}, ScoreAllKNN10: {5, 10, 15}}
	test := map[string][]float64{ScoreRunRule: {3, 1}, ScoreRotation: {4, -2}, ScoreAllKNN10: {20, 10}}
	if _, err := addFusions(g, val, test); err != nil {
		t.Fatal(err)
	}
	// (3-1)/1 + 4/2 + (20-10)/5 = 6; 0 - 1 + 0 = -1
	for i, want := range []float64{6, -1} {
		if !near(test[ScoreFuseLSRotAll][i], want) {
			t.Errorf("image %d: LS + rotation + all levels %v, want %v", i, test[ScoreFuseLSRotAll][i], want)
		}
	}
	// rotation + all levels: 2 + 2 = 4; -1 + 0 = -1
	for i, want := range []float64{4, -1} {
		if !near(test[ScoreFuseRotAll][i], want) {
			t.Errorf("image %d: rotation + all levels %v, want %v", i, test[ScoreFuseRotAll][i], want)
		}
	}
	// the largest standardised part: max(2, 2, 2) = 2; max(0, -1, 0) = 0;
	// without LS max(2, 2) = 2; max(-1, 0) = 0
	for i, want := range []float64{2, 0} {
		if !near(test[ScoreMaxLSRotAll][i], want) || !near(test[ScoreMaxRotAll][i], want) {
			t.Errorf("image %d: max of LS, rotation, all levels %v, of rotation, all levels %v, want %v", i, test[ScoreMaxLSRotAll][i], test[ScoreMaxRotAll][i], want)
		}
	}
	// open-set score + rotation: 2 + 2 = 4; 0 - 1 = -1
	for i, want := range []float64{4, -1} {
		if !near(test[rotationPlus(ScoreRunRule)][i], want) {
			t.Errorf("image %d: open-set score + rotation %v, want %v", i, test[rotationPlus(ScoreRunRule)][i], want)
		}
	}
}

// TestUnseenFusionDoc: the per-class table has a row for each mode, held-out
// class and score a run carries, and the mean row averages per seed over
// the classes; without a rotation fusion there is no table.
func TestUnseenFusionDoc(t *testing.T) {
	cal := func(x float64) *float64 { return &x }
	run := func(held string, seed uint64, au float64) *UnseenRun {
		return &UnseenRun{Held: held, Mode: "ce+g", Seed: seed, KnownAcc: 0.9,
			CalOutside: cal(0.1), KnownCalOutside: cal(0.05),
			OpenSet:           map[string]metrics.OpenSet{ScoreRunRule: {AUROC: 0.5}, ScoreFuseLSRotAll: {AUROC: au}},
			TPRAt5FPR:         map[string]float64{ScoreRunRule: 0.1, ScoreFuseLSRotAll: 0.4},
			FeatureCalOutside: map[string][2]float64{ScoreFuseLSRotAll: {0.4, 0.04}}}
	}
	res := &UnseenResult{Classes: []string{"a", "b"}, Seeds: []uint64{1, 2},
		Runs: []*UnseenRun{run("a", 1, 0.6), run("b", 1, 1.0), run("a", 2, 0.7), run("b", 2, 0.9)}}
	d := &document.Doc{}
	unseenFusionDoc(d, res)
	md := d.Markdown()
	for _, want := range []string{
		"| ce+g | a | " + ScoreFuseLSRotAll + " | 0.650 ± 0.071 |",
		"| ce+g | **mean** | " + ScoreFuseLSRotAll + " | 0.800 ± 0.000 |",
		"| ce+g | b | open-set score | 0.500 ± 0.000 | 0.00 ± 0.00 | 0.10 ± 0.00 | 10.0 ± 0.0% / 5.0 ± 0.0% |",
		"40.0 ± 0.0% / 4.0 ± 0.0%",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the table lacks %q:\n%s", want, md)
		}
	}
	for _, r := range res.Runs {
		delete(r.OpenSet, ScoreFuseLSRotAll)
	}
	d = &document.Doc{}
	if unseenFusionDoc(d, res); len(d.Blocks) != 0 {
		t.Errorf("a table without rotation fusions:\n%s", d.Markdown())
	}
}

// TestFusionPartStats: a part's test images in the standardising images'
// units, by hand; parts without standardising images are left out.
func TestFusionPartStats(t *testing.T) {
	val := map[string][]float64{ScoreRotation: {1, 2, 3}}
	neg := map[string][]float64{ScoreRotation: {2, 4}, ScoreAllKNN10: {1, 2}}
	pos := map[string][]float64{ScoreRotation: {5, 5, math.MaxFloat64}, ScoreAllKNN10: {3}}
	got := fusionPartStats(val, pos, neg)
	if len(got) != 1 {
		t.Fatalf("parts %v, want the rotation score's only", got)
	}
	// mean 2, sd 1: known at 0 and 2 (mean 1, sd sqrt 2), held-out 3 and 3
	p := got[ScoreRotation]
	if !near(p.StdMean, 2) || !near(p.StdSD, 1) || !near(p.Known, 1) || !near(p.KnownSD, math.Sqrt2) || !near(p.Held, 3) || !near(p.HeldSD, 0) {
		t.Errorf("part stats %+v", p)
	}
}
