package repro

import (
	"github.com/lsconf/lsconf/internal/document"
	"github.com/lsconf/lsconf/report"
	"math"
	"strings"
	"testing"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

func paperLayout(t *testing.T) *latent.Layout {
	t.Helper()
	l, err := latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// fakeRun builds a run whose class medians are the layout's centres
// rotated by rot degrees and scaled by scale, with the given test and
// generalization accuracy (fractions) and test-set conformance.
func fakeRun(l *latent.Layout, mode model.Mode, sp data.SplitMode, seed uint64, test, gen, rot, scale, worst, within float64) *RunResult {
	classes := data.TextureClasses()
	conf := func(medNorm, outside float64) train.Conformance {
		c := train.Conformance{WithinRc: within, Outside: outside, MedianNorm: medNorm, MaxNorm: 2 * medNorm, MaxMedianDistance: worst}
		a := rot * math.Pi / 180
		for i, name := range classes {
			ce := l.Center(i)
			m := []float64{scale * (ce[0]*math.Cos(a) - ce[1]*math.Sin(a)), scale * (ce[0]*math.Sin(a) + ce[1]*math.Cos(a))}
			c.Classes = append(c.Classes, train.ClassConformance{Class: name, N: 10, Center: ce, MedianZ: m, MedianDistance: worst})
		}
		return c
	}
	med := scale * l.Dc()
	out := 0.0
	if scale > 3 {
		out = 0.9
	}
	ev := func(name string, acc float64) *train.EvalResult {
		return &train.EvalResult{Name: name, N: 100, Classes: classes, Accuracy: acc, Conformance: conf(med, out)}
	}
	return &RunResult{Experiment: Experiment{Mode: mode, Split: sp, Seed: seed, Encoder: "plain"},
		Train: ev("train", 0.99), Test: ev("test", test), Gen: ev("gen", gen)}
}

// fakeGrid is a 3-seed Table 2 grid: ce+g runs at the centres, ce runs
// rotated by 100° per seed and 10 times larger.
func fakeGrid(l *latent.Layout, cegTest, ceTest []float64) []*RunResult {
	var runs []*RunResult
	for i, s := range []uint64{1, 2, 3} {
		for _, sp := range []data.SplitMode{data.SplitPre, data.SplitPost} {
			runs = append(runs,
				fakeRun(l, model.ModeCE, sp, s, ceTest[i], 0.6, 100*float64(i), 10, 8, 0),
				fakeRun(l, model.ModeCEG, sp, s, cegTest[i], 0.7, 0, 1, 0.05, 0.9))
		}
	}
	return runs
}

func verdictOf(t *testing.T, vs []Verdict, prefix string) Verdict {
	t.Helper()
	for _, v := range vs {
		if strings.HasPrefix(v.Claim, prefix) {
			return v
		}
	}
	t.Fatalf("no verdict %q in %+v", prefix, vs)
	return Verdict{}
}

func TestVerdictsOnSyntheticRuns(t *testing.T) {
	l := paperLayout(t)
	seeds := []uint64{1, 2, 3}
	runs := fakeGrid(l, []float64{0.80, 0.82, 0.81}, []float64{0.70, 0.85, 0.75})
	vs := Verdicts(runs, seeds, l)
	if len(vs) != 5 {
		t.Fatalf("%d verdicts without polar runs, want 5 (the polar one not tested)", len(vs))
	}
	if v := verdictOf(t, vs, "With the polar encoder"); v.Outcome != NotTested || !strings.Contains(v.Evidence[0], "no polar-encoder run") {
		t.Errorf("no polar run: %+v", v)
	}
	if v := verdictOf(t, vs, "With L_CE + L_G every run"); v.Outcome != Supported || !strings.Contains(v.Evidence[0], "6 of 6") {
		t.Errorf("centres: %+v", v)
	}
	if v := verdictOf(t, vs, "With L_CE alone"); v.Outcome != Supported {
		t.Errorf("ce layouts: %+v", v)
	}
	if v := verdictOf(t, vs, "Generalization points"); v.Outcome != Supported {
		t.Errorf("inside: %+v", v)
	}
	// Test accuracies overlap (ce 70-85, ce+g 80-82); generalization
	// accuracy is 70 against 60 in every run: higher. Partly.
	v := verdictOf(t, vs, "L_CE + L_G gives higher")
	if v.Outcome != Partly || !strings.Contains(strings.Join(v.Evidence, " "), "pre test: ce+g − ce +4.3 points (sd 6.7, -3.0 to +10.0)") ||
		!strings.Contains(v.Evidence[0], "not significant") || !strings.Contains(v.Evidence[1], "ce+g higher in every run") {
		t.Errorf("accuracy: %+v", v)
	}

	// One ce+g run off its centres: partly; all: not supported.
	runs[1].Test.Conformance.MaxMedianDistance = 0.3
	if v := verdictOf(t, Verdicts(runs, seeds, l), "With L_CE + L_G every run"); v.Outcome != Partly || !strings.Contains(strings.Join(v.Evidence, " "), "ce+g pre, seed 1 misses") {
		t.Errorf("one run off: %+v", v)
	}
	for _, r := range runs {
		if r.Experiment.Mode == model.ModeCEG {
			r.Test.Conformance.WithinRc = 0.5
			r.Gen.Conformance.Outside = 0.1
		}
	}
	// Every test set misses, every training set meets: partly.
	vs = Verdicts(runs, seeds, l)
	if v := verdictOf(t, vs, "With L_CE + L_G every run"); v.Outcome != Partly ||
		!strings.Contains(strings.Join(v.Evidence, " "), "On the training set (the encodings the paper's Figure 7 draws) 6 of 6") {
		t.Errorf("test sets off, training sets at the centres: %+v", v)
	}
	for _, r := range runs {
		if r.Experiment.Mode == model.ModeCEG {
			r.Train.Conformance.WithinRc = 0.5
		}
	}
	vs = Verdicts(runs, seeds, l)
	if v := verdictOf(t, vs, "With L_CE + L_G every run"); v.Outcome != NotSupported {
		t.Errorf("no run within r_c: %+v", v)
	}
	if v := verdictOf(t, vs, "Generalization points"); v.Outcome != Partly {
		t.Errorf("some generalization points outside: %+v", v)
	}

	// ce runs with the same layout in every seed, close to the origin.
	same := fakeGrid(l, []float64{0.8, 0.8, 0.8}, []float64{0.8, 0.8, 0.8})
	for _, r := range same {
		if r.Experiment.Mode == model.ModeCE {
			*r = *fakeRun(l, model.ModeCE, r.Experiment.Split, r.Experiment.Seed, 0.8, 0.7, 5, 1, 0.05, 0.9)
		}
	}
	vs = Verdicts(same, seeds, l)
	if v := verdictOf(t, vs, "With L_CE alone"); v.Outcome != NotSupported {
		t.Errorf("ce layouts alike and compact: %+v", v)
	}
	if v := verdictOf(t, vs, "L_CE + L_G gives higher"); v.Outcome != NotSignificant {
		t.Errorf("equal accuracies: %+v", v)
	}
	// One seed: layouts across seeds are not measured.
	one := fakeGrid(l, []float64{0.8, 0.8, 0.8}, []float64{0.8, 0.8, 0.8})[:4]
	if v := verdictOf(t, Verdicts(one, seeds[:1], l), "With L_CE alone"); v.Outcome != Partly || !strings.Contains(strings.Join(v.Evidence, " "), "One seed only") {
		t.Errorf("one seed: %+v", v)
	}
}

func TestVerdictSectors(t *testing.T) {
	l := paperLayout(t)
	r := fakeRun(l, model.ModeCE, data.SplitPre, 1, 0.5, 0.5, 0, 1, 0, 0)
	r.Experiment.Encoder = "sectors"
	s, err := latent.ParseSectors("sectors", 5)
	if err != nil {
		t.Fatal(err)
	}
	gap := s.Prohibited()[0]
	mid := gap.From + gap.Width/2
	r.Points = report.Encodings{ND: 2, ZTrain: []float32{1, 0, 0, 1}, YTrain: []int32{0, 1}, ZGen: []float32{0.5, 0.1}, YGen: []int32{0}}
	vs := Verdicts([]*RunResult{r}, []uint64{1}, l)
	v := verdictOf(t, vs, "With the polar encoder")
	allowed := !s.IsProhibitedPoint(1, 0) && !s.IsProhibitedPoint(0, 1) && !s.IsProhibitedPoint(0.5, 0.1)
	if allowed && (v.Outcome != Supported || !strings.Contains(v.Evidence[0], "0 of 3")) {
		t.Errorf("no point prohibited: %+v", v)
	}
	r.Points.ZGen = []float32{float32(math.Cos(mid)), float32(math.Sin(mid))}
	if !s.IsProhibitedPoint(math.Cos(mid), math.Sin(mid)) {
		t.Fatalf("the middle of gap %+v is not prohibited", gap)
	}
	v = verdictOf(t, Verdicts([]*RunResult{r}, []uint64{1}, l), "With the polar encoder")
	if v.Outcome != NotSupported || !strings.Contains(v.Evidence[0], "1 of 3") {
		t.Errorf("a point in a prohibited sector: %+v", v)
	}
	// Recomputed from report.json, a polar run has no encodings: not
	// tested, said so, never dropped.
	r.Points = report.Encodings{}
	v = verdictOf(t, Verdicts([]*RunResult{r}, []uint64{1}, l), "With the polar encoder")
	if v.Outcome != NotTested || !strings.Contains(v.Evidence[0], "not available") {
		t.Errorf("a polar run without encodings: %+v", v)
	}
}

func TestTable2AndPlan(t *testing.T) {
	l := paperLayout(t)
	runs := fakeGrid(l, []float64{0.80, 0.82, 0.84}, []float64{0.70, 0.85, 0.75})
	tb := BuildTable2(runs, []uint64{1, 2, 3})
	if len(tb.Columns) != 4 || tb.Columns[1] != "ce+g pre" || tb.Test[1][2] != 84 || tb.Test[0][1] != 85 || tb.Gen[0][0] != 60 {
		t.Fatalf("table: %+v", tb)
	}
	if s := tb.TestSpread[1]; math.Abs(s.Mean-82) > 1e-9 || math.Abs(s.SD-2) > 1e-9 || s.Min != 80 || s.Max != 84 {
		t.Errorf("ce+g pre test spread %+v", s)
	}
	if tb.PaperTest[3][0] != 83 || tb.PaperGen[0][1] != 68 || math.Abs(tb.PaperTestSpread[2].Mean-81-1.0/3) > 1e-9 {
		t.Errorf("paper numbers: %v %v %+v", tb.PaperTest, tb.PaperGen, tb.PaperTestSpread[2])
	}
	md := (&document.Doc{Title: "x", Blocks: []document.Block{tb.ourTable(), tb.paperTable(), tb.compareTable()}}).Markdown()
	for _, want := range []string{"| 2 | 85.0 | 60.0 | 82.0 | 70.0 |", "| mean | 76.7 |", "| min–max | 70.0–85.0 |", "| 1 | 77 | 62 | 78 | 65 | 81 | 66 | 83 | 67 |", "| ce+g pre | 82.0 ± 2.0 (80.0–84.0) | 76.0 ± 1.7 (75.0–78.0) |"} {
		if !strings.Contains(md, want) {
			t.Errorf("tables lack %q:\n%s", want, md)
		}
	}
	// A missing run leaves its cell empty (NaN), not a zero.
	tb = BuildTable2(runs[2:], []uint64{1, 2, 3})
	if !math.IsNaN(tb.Test[0][0]) || tb.TestSpread[0].N != 2 {
		t.Errorf("missing run: %v %+v", tb.Test[0], tb.TestSpread[0])
	}

	plan := Plan([]uint64{1, 2, 3}, []string{"sectors", "paper-eq6"}, model.ModeCE)
	if len(plan) != 14 {
		t.Fatalf("plan has %d experiments, want 14", len(plan))
	}
	names := map[string]bool{}
	for _, e := range plan {
		names[e.Name()] = true
	}
	if len(names) != 14 || plan[0].Name() != "ce-pre-s1" || plan[1].Name() != "ceg-pre-s1" || plan[4].Seed != 2 ||
		plan[12].Name() != "polar-sectors-ce-pre-s1" || plan[13].Encoder != "paper-eq6" {
		t.Errorf("plan: %v", plan)
	}
}

func TestReproConfigValidate(t *testing.T) {
	good := QuickConfig()
	good.Out = t.TempDir()
	if err := good.WithDefaults().Validate(); err != nil {
		t.Fatalf("quick config: %v", err)
	}
	for name, mut := range map[string]func(c *Config){
		"no out":         func(c *Config) { c.Out = "" },
		"seed twice":     func(c *Config) { c.Seeds = []uint64{1, 1} },
		"bad polar":      func(c *Config) { c.Polar = []string{"hyperbolic"} },
		"polar twice":    func(c *Config) { c.Polar = []string{"sectors", "sectors"} },
		"width":          func(c *Config) { c.Width = 3 },
		"tiny data":      func(c *Config) { c.PerClass = 2 },
		"negative epoch": func(c *Config) { c.Epochs = -1 },
		"polar mode":     func(c *Config) { c.PolarMode = "mse" },
	} {
		c := good
		mut(&c)
		if err := c.WithDefaults().Validate(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
