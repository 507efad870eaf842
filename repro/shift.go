package repro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/engine"
	"github.com/lsconf/lsconf/internal/atomicfile"
	"github.com/lsconf/lsconf/internal/machine"
	"github.com/lsconf/lsconf/plot"
	"github.com/lsconf/lsconf/train"
)

// The title-claim study (lsconf shift): trained runs of several losses
// and seeds are evaluated on a clean test set and on shifted sets, and
// the report says whether a configured LS generalizes better than ce.
//
// Decisions:
//   - Shifted sets: with ShiftFashionMNIST, Fashion-MNIST's test split
//     under every corruption kind and severity (data.Corruptions, seed
//     ShiftConfig.Seed), the first Limit images of each (the same images
//     in every set); with ShiftOwn, each run's own test split (clean) and
//     its generalization set (the one shifted set).
//   - Accuracy is the classifier head's (the runs' figure everywhere in
//     lsconf); the nearest-cluster accuracy is kept beside it. Mean
//     corrupted accuracy is the plain mean over the shifted sets.
//   - Comparisons with the baseline loss are paired by seed: the
//     difference of each seed's runs, then its mean and its sign in every
//     seed.
//   - Verdict per loss: supported when its mean corrupted accuracy is at
//     least ShiftMinGain points above the baseline's, higher in every
//     seed, and its clean accuracy is no more than ShiftCleanTolerance
//     points below; refuted when its mean corrupted accuracy is not above
//     the baseline's and no corruption kind shows a gain of ShiftMinGain
//     in every seed; partly otherwise (the kinds with such a gain are
//     listed). Fewer than two seeds: "not tested".

// Data choices of the shift study.
const (
	// ShiftFashionMNIST evaluates on Fashion-MNIST's test split, clean and
	// under every corruption.
	ShiftFashionMNIST = "fashion-mnist"
	// ShiftOwn evaluates on each run's own test split (clean) and
	// generalization set (shifted).
	ShiftOwn = "own"
)

// Thresholds of the shift verdict, in accuracy points.
const (
	ShiftMinGain        = 1.0
	ShiftCleanTolerance = 0.3
)

// ShiftRun names one trained run of the study and the loss it stands for.
type ShiftRun struct {
	Loss string `json:"loss"`
	Dir  string `json:"dir"`
}

// ShiftConfig configures the study.
type ShiftConfig struct {
	Runs []ShiftRun `json:"runs"`
	// Data is ShiftFashionMNIST or ShiftOwn.
	Data string `json:"data"`
	// Limit is the number of images of each set (the first ones; 0: all).
	Limit int `json:"limit"`
	// Seed drives the corruptions.
	Seed uint64 `json:"seed"`
	// Baseline is the loss the others are compared with ("ce").
	Baseline string `json:"baseline"`
	// Out is the report folder (report.md, report.json, runs/).
	Out      string        `json:"-"`
	Engine   engine.Config `json:"-"`
	Progress io.Writer     `json:"-"`
}

// ShiftSetResult is one run's accuracy on one set.
type ShiftSetResult struct {
	Set        string  `json:"set"`
	Kind       string  `json:"kind"`
	Severity   int     `json:"severity,omitempty"`
	N          int     `json:"n"`
	Acc        float64 `json:"acc"`
	NearestAcc float64 `json:"nearest_acc"`
}

// ShiftRunResult is one run's evaluation on every set.
type ShiftRunResult struct {
	Loss    string           `json:"loss"`
	Seed    uint64           `json:"seed"`
	Dir     string           `json:"dir"`
	ID      string           `json:"id"`
	Mode    string           `json:"mode"`
	Recon   float64          `json:"recon,omitempty"`
	Sets    []ShiftSetResult `json:"sets"`
	Seconds float64          `json:"seconds"`
	Load    []float64        `json:"load_start"`
}

// clean is the clean set's result; corrupted the mean over the others.
func (r ShiftRunResult) clean() float64 {
	for _, s := range r.Sets {
		if s.Kind == "clean" {
			return s.Acc
		}
	}
	return math.NaN()
}

func (r ShiftRunResult) corrupted() float64 {
	s, n := 0.0, 0
	for _, x := range r.Sets {
		if x.Kind != "clean" {
			s += x.Acc
			n++
		}
	}
	return s / float64(n)
}

// kind is the mean accuracy over the severities of one kind.
func (r ShiftRunResult) kind(k string) float64 {
	s, n := 0.0, 0
	for _, x := range r.Sets {
		if x.Kind == k {
			s += x.Acc
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// ShiftLoss summarises one loss over its seeds (accuracies as fractions).
type ShiftLoss struct {
	Loss      string             `json:"loss"`
	Seeds     []uint64           `json:"seeds"`
	Clean     Spread             `json:"clean"`
	Corrupted Spread             `json:"corrupted"`
	Kinds     map[string]Spread  `json:"kinds"`
	VsBase    *ShiftComparison   `json:"vs_baseline,omitempty"`
	Verdict   string             `json:"verdict,omitempty"`
	Evidence  string             `json:"evidence,omitempty"`
	KindGain  map[string]float64 `json:"kind_gain_points,omitempty"`
}

// ShiftComparison is a loss against the baseline, paired by seed, in
// accuracy points.
type ShiftComparison struct {
	Seeds          []uint64  `json:"seeds"`
	CleanGain      []float64 `json:"clean_gain_points"`
	CorruptedGain  []float64 `json:"corrupted_gain_points"`
	MeanClean      float64   `json:"mean_clean_gain_points"`
	MeanCorrupted  float64   `json:"mean_corrupted_gain_points"`
	AllSeedsBetter bool      `json:"corrupted_better_every_seed"`
}

// ShiftReport is report.json.
type ShiftReport struct {
	Config  ShiftConfig      `json:"config"`
	Sets    []string         `json:"sets"`
	Runs    []ShiftRunResult `json:"runs"`
	Losses  []ShiftLoss      `json:"losses"`
	Verdict string           `json:"verdict"`
	Reason  string           `json:"reason"`
	Machine machine.Info     `json:"machine"`
	Kernels string           `json:"kernels,omitempty"`
}

// shiftSet is one evaluation set.
type shiftSet struct {
	name, kind string
	sev        int
	set        data.Set
}

// fashionShiftSets are Fashion-MNIST's clean test images and every
// corruption of them (the first limit images).
func fashionShiftSets(limit int, seed uint64) ([]shiftSet, error) {
	s, err := data.OpenIDXSource(data.FashionMNIST)
	if err != nil {
		return nil, err
	}
	test := s.Test
	if limit > 0 && limit < test.Len() {
		idx := make([]int, limit)
		for i := range idx {
			idx[i] = i
		}
		test = test.Subset(idx)
	}
	sets := []shiftSet{{name: "clean", kind: "clean", set: test}}
	for _, c := range data.Corruptions() {
		for sev := 1; sev <= data.CorruptionSeverities; sev++ {
			g, err := data.CorruptGray(test, c.Name, sev, seed)
			if err != nil {
				return nil, err
			}
			sets = append(sets, shiftSet{name: fmt.Sprintf("%s-%d", c.Name, sev), kind: c.Name, sev: sev, set: g})
		}
	}
	return sets, nil
}

// Shift runs the study: it evaluates every run (reusing a run's results
// in Out/runs when its ID matches), then writes report.json and
// report.md to Out.
func Shift(ctx context.Context, cfg ShiftConfig, kernels string) (*ShiftReport, error) {
	if len(cfg.Runs) == 0 {
		return nil, errors.New("shift: no runs")
	}
	if cfg.Baseline == "" {
		cfg.Baseline = "ce"
	}
	var common []shiftSet
	switch cfg.Data {
	case ShiftFashionMNIST:
		var err error
		if common, err = fashionShiftSets(cfg.Limit, cfg.Seed); err != nil {
			return nil, fmt.Errorf("shift: %w", err)
		}
	case ShiftOwn:
	default:
		return nil, fmt.Errorf("shift: data %q (want %s or %s)", cfg.Data, ShiftFashionMNIST, ShiftOwn)
	}
	if err := os.MkdirAll(filepath.Join(cfg.Out, "runs"), 0o755); err != nil {
		return nil, fmt.Errorf("shift: %w", err)
	}
	rep := &ShiftReport{Config: cfg, Kernels: kernels}
	if cfg.Data == ShiftFashionMNIST {
		if err := corruptionSheets(cfg.Out, cfg.Seed); err != nil {
			return nil, err
		}
	}
	for _, sr := range cfg.Runs {
		r, err := shiftRun(ctx, cfg, sr, common)
		if err != nil {
			return nil, err
		}
		rep.Runs = append(rep.Runs, *r)
	}
	for _, s := range rep.Runs[0].Sets {
		rep.Sets = append(rep.Sets, s.Set)
	}
	rep.summarise()
	rep.Machine = machine.This()
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(cfg.Out, "report.json"), append(b, '\n')); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(filepath.Join(cfg.Out, "report.md"), []byte(rep.markdown())); err != nil {
		return nil, err
	}
	return rep, nil
}

// corruptionSheets writes a contact sheet of every corruption kind
// (clean images and the three severities) to out/corruptions/KIND.png.
func corruptionSheets(out string, seed uint64) error {
	s, err := data.OpenIDXSource(data.FashionMNIST)
	if err != nil {
		return fmt.Errorf("shift: %w", err)
	}
	for _, c := range data.Corruptions() {
		img, err := data.CorruptionSheet(s.Test, c.Name, seed, 10)
		if err != nil {
			return fmt.Errorf("shift: %w", err)
		}
		if err := plot.SavePNG(img, filepath.Join(out, "corruptions", c.Name+".png")); err != nil {
			return fmt.Errorf("shift: %w", err)
		}
	}
	return nil
}

// shiftRun evaluates one run on the sets (its own when common is nil).
func shiftRun(ctx context.Context, cfg ShiftConfig, sr ShiftRun, common []shiftSet) (*ShiftRunResult, error) {
	info, err := train.ReadRunInfo(sr.Dir)
	if err != nil {
		return nil, fmt.Errorf("shift: %w", err)
	}
	run, err := train.OpenRun(sr.Dir, cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("shift: %w", err)
	}
	defer run.Close()
	tc := info.TrainConfig()
	res := &ShiftRunResult{Loss: sr.Loss, Seed: tc.Seed, Dir: sr.Dir, ID: run.ID(), Mode: string(tc.Mode), Recon: tc.Recon}
	cache := filepath.Join(cfg.Out, "runs", fmt.Sprintf("%s-s%d.json", strings.ReplaceAll(sr.Loss, "+", ""), tc.Seed))
	if b, err := os.ReadFile(cache); err == nil {
		var old ShiftRunResult
		if json.Unmarshal(b, &old) == nil && old.ID == res.ID && len(old.Sets) > 0 {
			return &old, nil
		}
	}
	sets := common
	if sets == nil {
		own, err := info.Data.Located(sr.Dir).Sets(ctx, tc.Seed, data.LoadOptions{})
		if err != nil {
			return nil, fmt.Errorf("shift: %s: %w", sr.Dir, err)
		}
		if own.Test == nil || own.Gen == nil {
			return nil, fmt.Errorf("shift: %s has no test or no generalization set", sr.Dir)
		}
		sets = []shiftSet{{name: "clean", kind: "clean", set: own.Test}, {name: "gen", kind: "gen", set: own.Gen}}
	}
	start := time.Now()
	res.Load = machine.LoadAvg()
	for _, s := range sets {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		inf, err := run.InferSet(ctx, s.set)
		if err != nil {
			return nil, fmt.Errorf("shift: %s on %s: %w", sr.Dir, s.name, err)
		}
		ev, err := train.Score(run.Layout(), run.OpenSetRule(), run.Classes(), inf.Z, inf.Logits, inf.Labels)
		if err != nil {
			return nil, fmt.Errorf("shift: %s on %s: %w", sr.Dir, s.name, err)
		}
		res.Sets = append(res.Sets, ShiftSetResult{Set: s.name, Kind: s.kind, Severity: s.sev, N: ev.N, Acc: ev.Accuracy, NearestAcc: ev.NearestAccuracy})
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%s seed %d: %s accuracy %.1f%%\n", sr.Loss, tc.Seed, s.name, 100*ev.Accuracy)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.Write(cache, append(b, '\n')); err != nil {
		return nil, err
	}
	return res, nil
}

// kinds are the shifted kinds of the report's sets, in order.
func (r *ShiftReport) kinds() []string {
	var out []string
	for _, s := range r.Runs[0].Sets {
		if s.Kind != "clean" && !slices.Contains(out, s.Kind) {
			out = append(out, s.Kind)
		}
	}
	return out
}

// losses are the losses in the order of the runs.
func (r *ShiftReport) losses() []string {
	var out []string
	for _, x := range r.Runs {
		if !slices.Contains(out, x.Loss) {
			out = append(out, x.Loss)
		}
	}
	return out
}

func (r *ShiftReport) runsOf(loss string) map[uint64]ShiftRunResult {
	out := map[uint64]ShiftRunResult{}
	for _, x := range r.Runs {
		if x.Loss == loss {
			out[x.Seed] = x
		}
	}
	return out
}

// summarise computes the per-loss figures, the comparisons and verdicts.
func (r *ShiftReport) summarise() {
	kinds := r.kinds()
	base := r.runsOf(r.Config.Baseline)
	for _, loss := range r.losses() {
		runs := r.runsOf(loss)
		s := ShiftLoss{Loss: loss, Kinds: map[string]Spread{}}
		var clean, corr []float64
		for seed, x := range runs {
			s.Seeds = append(s.Seeds, seed)
			clean, corr = append(clean, x.clean()), append(corr, x.corrupted())
		}
		slices.Sort(s.Seeds)
		s.Clean, s.Corrupted = SpreadOf(clean), SpreadOf(corr)
		for _, k := range kinds {
			var v []float64
			for _, x := range runs {
				v = append(v, x.kind(k))
			}
			s.Kinds[k] = SpreadOf(v)
		}
		if loss != r.Config.Baseline && len(base) > 0 {
			s.VsBase, s.KindGain = compare(base, runs, kinds)
			s.Verdict, s.Evidence = shiftVerdict(s.VsBase, s.KindGain)
		}
		r.Losses = append(r.Losses, s)
	}
	r.Verdict, r.Reason = overallVerdict(r.Losses, r.Config.Baseline)
}

// compare pairs a loss's runs with the baseline's by seed; kindGain holds,
// for each kind whose gain is positive in every seed, the mean gain.
func compare(base, runs map[uint64]ShiftRunResult, kinds []string) (*ShiftComparison, map[string]float64) {
	c := &ShiftComparison{AllSeedsBetter: true}
	for seed := range runs {
		if _, ok := base[seed]; ok {
			c.Seeds = append(c.Seeds, seed)
		}
	}
	slices.Sort(c.Seeds)
	for _, seed := range c.Seeds {
		a, b := runs[seed], base[seed]
		cg, sg := 100*(a.clean()-b.clean()), 100*(a.corrupted()-b.corrupted())
		c.CleanGain, c.CorruptedGain = append(c.CleanGain, cg), append(c.CorruptedGain, sg)
		c.MeanClean += cg / float64(len(c.Seeds))
		c.MeanCorrupted += sg / float64(len(c.Seeds))
		if sg <= 0 {
			c.AllSeedsBetter = false
		}
	}
	gain := map[string]float64{}
	for _, k := range kinds {
		m, every := 0.0, true
		for _, seed := range c.Seeds {
			g := 100 * (runs[seed].kind(k) - base[seed].kind(k))
			m += g / float64(len(c.Seeds))
			if g <= 0 {
				every = false
			}
		}
		if every && len(c.Seeds) > 0 {
			gain[k] = m
		}
	}
	return c, gain
}

// shiftVerdict applies the study's rule to one loss against the baseline.
func shiftVerdict(c *ShiftComparison, kindGain map[string]float64) (string, string) {
	if len(c.Seeds) < 2 {
		return "not tested", fmt.Sprintf("%d paired seed(s); the verdict needs at least 2", len(c.Seeds))
	}
	var big []string
	for k, g := range kindGain {
		if g >= ShiftMinGain {
			big = append(big, fmt.Sprintf("%s +%.1f", k, g))
		}
	}
	slices.Sort(big)
	ev := fmt.Sprintf("mean corrupted accuracy %+.2f points (per seed %s), clean %+.2f points (per seed %s)",
		c.MeanCorrupted, points(c.CorruptedGain), c.MeanClean, points(c.CleanGain))
	if len(big) > 0 {
		ev += "; higher in every seed by >= 1 point on average: " + strings.Join(big, ", ")
	}
	switch {
	case c.MeanCorrupted >= ShiftMinGain && c.AllSeedsBetter && c.MeanClean >= -ShiftCleanTolerance:
		return "supported", ev
	case c.MeanCorrupted <= 0 && len(big) == 0:
		return "refuted", ev
	}
	return "partly", ev
}

func points(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%+.2f", x))
	}
	return strings.Join(s, ", ")
}

// overallVerdict is the claim's verdict over the configured-LS losses.
func overallVerdict(ls []ShiftLoss, baseline string) (string, string) {
	var sup, part, ref, nt []string
	for _, l := range ls {
		switch l.Verdict {
		case "supported":
			sup = append(sup, l.Loss)
		case "partly":
			part = append(part, l.Loss)
		case "refuted":
			ref = append(ref, l.Loss)
		case "not tested":
			nt = append(nt, l.Loss)
		}
	}
	switch {
	case len(sup) > 0:
		return "supported", fmt.Sprintf("%s beat %s on mean corrupted accuracy by >= %.0f point in every seed at equal clean accuracy", strings.Join(sup, ", "), baseline, ShiftMinGain)
	case len(part) > 0:
		return "partly", fmt.Sprintf("%s: gains below the bar or only on some kinds (see the table)", strings.Join(part, ", "))
	case len(ref) > 0:
		return "refuted", fmt.Sprintf("no configured-LS loss (%s) is more accurate than %s on the shifted sets", strings.Join(ref, ", "), baseline)
	}
	return "not tested", "fewer than 2 paired seeds"
}

// markdown renders report.md.
func (r *ShiftReport) markdown() string {
	var b strings.Builder
	pct := func(s Spread) string {
		if s.N > 1 {
			return fmt.Sprintf("%.2f ± %.2f", 100*s.Mean, 100*s.SD)
		}
		return fmt.Sprintf("%.2f", 100*s.Mean)
	}
	fmt.Fprintf(&b, "# Does a configured LS generalize better than ce? (%s)\n\n", r.Config.Data)
	fmt.Fprintf(&b, "**Verdict: %s.** %s.\n\n", r.Verdict, r.Reason)
	fmt.Fprintf(&b, "Accuracy of the classifier head in %%, mean ± sd over seeds; \"corrupted\" is the mean over the %d shifted sets. ", len(r.Sets)-1)
	fmt.Fprintf(&b, "Gains are paired by seed against `%s`.\n\n", r.Config.Baseline)
	fmt.Fprintf(&b, "| loss | seeds | clean | corrupted | clean gain | corrupted gain | verdict |\n|---|---|---|---|---|---|---|\n")
	for _, l := range r.Losses {
		cg, sg := "", ""
		if l.VsBase != nil {
			cg, sg = fmt.Sprintf("%+.2f", l.VsBase.MeanClean), fmt.Sprintf("%+.2f", l.VsBase.MeanCorrupted)
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s |\n", l.Loss, len(l.Seeds), pct(l.Clean), pct(l.Corrupted), cg, sg, l.Verdict)
	}
	b.WriteString("\n")
	for _, l := range r.Losses {
		if l.Evidence != "" {
			fmt.Fprintf(&b, "- `%s` vs `%s`: %s: %s.\n", l.Loss, r.Config.Baseline, l.Verdict, l.Evidence)
		}
	}
	b.WriteString("\n## Per shift (mean over severities)\n\n| shift |")
	for _, l := range r.Losses {
		fmt.Fprintf(&b, " %s |", l.Loss)
	}
	b.WriteString("\n|---|")
	for range r.Losses {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, k := range r.kinds() {
		fmt.Fprintf(&b, "| %s |", k)
		for _, l := range r.Losses {
			fmt.Fprintf(&b, " %s |", pct(l.Kinds[k]))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Every run and set\n\n| loss | seed | mode | recon |")
	for _, s := range r.Sets {
		fmt.Fprintf(&b, " %s |", s)
	}
	b.WriteString(" eval s |\n|---|---|---|---|")
	for range r.Sets {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, x := range r.Runs {
		fmt.Fprintf(&b, "| %s | %d | %s | %g |", x.Loss, x.Seed, x.Mode, x.Recon)
		for _, s := range x.Sets {
			fmt.Fprintf(&b, " %.1f |", 100*s.Acc)
		}
		fmt.Fprintf(&b, " %.0f |\n", x.Seconds)
	}
	fmt.Fprintf(&b, "\nEach set: %d images", r.Runs[0].Sets[0].N)
	if r.Config.Data == ShiftFashionMNIST {
		fmt.Fprintf(&b, " (the first of Fashion-MNIST's test split), corrupted with seed %d (`data.CorruptGray`; kinds and levels in docs/data.md)", r.Config.Seed)
	}
	b.WriteString(".\n")
	if r.Config.Data == ShiftFashionMNIST {
		b.WriteString("\n## The corruptions\n\nEach sheet: the first test image of every class, clean (top row) and at severities 1-3.\n\n| kind | severities 1, 2, 3 | what it does |\n|---|---|---|\n")
		for _, c := range data.Corruptions() {
			fmt.Fprintf(&b, "| [%s](corruptions/%s.png) | %g, %g, %g | %s |\n", c.Name, c.Name, c.Levels[0], c.Levels[1], c.Levels[2], c.About)
		}
		b.WriteString("\n")
		for _, c := range data.Corruptions() {
			fmt.Fprintf(&b, "![%s](corruptions/%s.png)\n", c.Name, c.Name)
		}
	}
	fmt.Fprintf(&b, "\nMeasured on %s; kernels %s. Written by `lsconf shift`.\n", r.Machine, r.Kernels)
	return b.String()
}
