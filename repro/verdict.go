package repro

import (
	"encoding/json"
	"fmt"
	"github.com/lsconf/lsconf/report"
	"math"
	"strings"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
)

// Outcomes of a verdict.
const (
	Supported    = "supported"
	Partly       = "partly supported"
	NotSupported = "not supported"
	NotTested    = "not tested"
	// NotSignificant is the accuracy comparison's outcome when the ce and
	// ce+g ranges overlap.
	NotSignificant = "not significant"
)

// Thresholds of the verdicts.
const (
	// CentreTolerance is how close every class's median z must be to its
	// configured centre.
	CentreTolerance = 0.1
	// WithinShare is the share of test points that must lie within r_c of
	// their own centre.
	WithinShare = 0.8
	// DifferentAngle is the mean angle (degrees) between the same class's
	// median directions in two runs above which their layouts differ.
	DifferentAngle = 20.0
)

// Verdict is one of the paper's claims checked against the runs.
type Verdict struct {
	// Claim is the paper's claim in a few words.
	Claim string `json:"claim"`
	// Outcome is Supported, Partly, NotSupported or NotTested.
	Outcome string `json:"outcome"`
	// Evidence states the measured numbers, one statement each.
	Evidence []string `json:"evidence"`
	// Qualifier, when set, follows the outcome in the heading (e.g. how
	// each reading of the claim fared).
	Qualifier string `json:"qualifier,omitempty"`
}

// Verdicts checks the paper's claims: (1) ce+g puts every cluster at its
// configured centre, (2) ce layouts differ across seeds and spread far,
// (3) generalization points stay in the configured space, (4) accuracy of
// ce+g against ce, and (5) no polar-encoder output in a prohibited sector.
func Verdicts(runs []*RunResult, seeds []uint64, l *latent.Layout) []Verdict {
	var ceg, ce []*RunResult
	for _, r := range runs {
		switch {
		case r.Experiment.Polar():
		case r.Experiment.Mode == model.ModeCEG:
			ceg = append(ceg, r)
		default:
			ce = append(ce, r)
		}
	}
	return []Verdict{verdictCentres(ceg), verdictCELayouts(ce, ceg, l), verdictInside(ceg, ce, l), verdictAccuracy(runs, seeds), verdictSectors(runs)}
}

func verdictCentres(ceg []*RunResult) Verdict {
	v := Verdict{Claim: "With L_CE + L_G every run puts the clusters at the configured centres"}
	if len(ceg) == 0 {
		v.Outcome, v.Evidence = NotTested, []string{"no ce+g run"}
		return v
	}
	pass, trainPass := 0, 0
	var lines []string
	for _, r := range ceg {
		c, t := r.Test.Conformance, r.Train.Conformance
		ok := c.MaxMedianDistance <= CentreTolerance && c.WithinRc >= WithinShare
		if t.MaxMedianDistance <= CentreTolerance && t.WithinRc >= WithinShare {
			trainPass++
		}
		mark := "misses"
		if ok {
			pass++
			mark = "meets"
		}
		lines = append(lines, fmt.Sprintf("%s %s the thresholds: test set worst class median %.3f from its centre, %s%% within r_c (training set: %.3f, %s%%)",
			r.Experiment.Label(), mark, c.MaxMedianDistance, report.Pct(c.WithinRc), t.MaxMedianDistance, report.Pct(t.WithinRc)))
	}
	v.Evidence = append([]string{fmt.Sprintf("%d of %d ce+g runs meet both thresholds on the test set (every class median within %.1f of its centre, at least %.0f%% of test points within r_c).",
		pass, len(ceg), CentreTolerance, 100*WithinShare),
		fmt.Sprintf("On the training set (the encodings the paper's Figure 7 draws) %d of %d ce+g runs meet both thresholds.", trainPass, len(ceg))}, lines...)
	if s := seedSpread(ceg); s != "" {
		v.Evidence = append(v.Evidence, s)
	}
	// Supported when the held-out test set meets the thresholds in every
	// run; partly when some runs do, or when only the training set does
	// (the layout is learnt but does not hold on unseen images).
	switch {
	case pass == len(ceg):
		v.Outcome = Supported
	case pass > 0 || trainPass > 0:
		v.Outcome = Partly
	default:
		v.Outcome = NotSupported
	}
	return v
}

// seedSpread says how far the same class's training-set medians lie from
// each other across seeds (per split).
func seedSpread(rs []*RunResult) string {
	var parts []string
	for _, sp := range []data.SplitMode{data.SplitPre, data.SplitPost} {
		worst, pairs := 0.0, 0
		for i, a := range rs {
			for _, b := range rs[i+1:] {
				if a.Experiment.Split != sp || b.Experiment.Split != sp {
					continue
				}
				pairs++
				for c := range a.Train.Conformance.Classes {
					worst = max(worst, dist(a.Train.Conformance.Classes[c].MedianZ, b.Train.Conformance.Classes[c].MedianZ))
				}
			}
		}
		if pairs > 0 {
			parts = append(parts, fmt.Sprintf("%s %.3f", sp, worst))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "Same layout across seeds: the training-set medians of one class lie at most " + strings.Join(parts, ", ") + " apart between two seeds."
}

// layoutAngles returns, per pair of runs with the same split, the mean
// over classes of the angle between the class's training-set median
// directions.
func layoutAngles(rs []*RunResult) []float64 {
	var out []float64
	for i, a := range rs {
		for _, b := range rs[i+1:] {
			if a.Experiment.Split != b.Experiment.Split {
				continue
			}
			sum, n := 0.0, 0
			for c := range a.Train.Conformance.Classes {
				ang := angleDeg(a.Train.Conformance.Classes[c].MedianZ, b.Train.Conformance.Classes[c].MedianZ)
				if !math.IsNaN(ang) {
					sum += ang
					n++
				}
			}
			if n > 0 {
				out = append(out, sum/float64(n))
			}
		}
	}
	return out
}

func verdictCELayouts(ce, ceg []*RunResult, l *latent.Layout) Verdict {
	v := Verdict{Claim: "With L_CE alone the layouts differ across seeds and spread far"}
	if len(ce) == 0 {
		v.Outcome, v.Evidence = NotTested, []string{"no ce run"}
		return v
	}
	far := 2 * l.Dc()
	var med, mx, gmx []float64
	spreadFar := 0
	for _, r := range ce {
		c := r.Train.Conformance
		med, mx = append(med, c.MedianNorm), append(mx, c.MaxNorm)
		if c.MedianNorm > far {
			spreadFar++
		}
	}
	for _, r := range ceg {
		gmx = append(gmx, r.Train.Conformance.MaxNorm)
	}
	m, x, g := SpreadOf(med), SpreadOf(mx), SpreadOf(gmx)
	line := fmt.Sprintf("Spread: %d of %d ce runs have a training-set median |z| beyond 2 d_c = %.2f (median |z| %.3g–%.3g, max |z| %.3g–%.3g)",
		spreadFar, len(ce), far, m.Min, m.Max, x.Min, x.Max)
	if g.N > 0 {
		line += fmt.Sprintf("; ce+g runs: max |z| %.3g–%.3g", g.Min, g.Max)
	}
	v.Evidence = append(v.Evidence, line+".")
	angCE, angCEG := SpreadOf(layoutAngles(ce)), SpreadOf(layoutAngles(ceg))
	differ := -1 // not measured
	if angCE.N > 0 {
		line := fmt.Sprintf("Layouts: between two seeds of the same split, the same class's training-set median directions differ by %.0f°–%.0f° on average over the classes (%d pairs of ce runs)",
			angCE.Min, angCE.Max, angCE.N)
		if angCEG.N > 0 {
			line += fmt.Sprintf("; ce+g runs: %.1f°–%.1f°", angCEG.Min, angCEG.Max)
		}
		v.Evidence = append(v.Evidence, line+fmt.Sprintf(". Layouts count as different above %.0f°.", DifferentAngle))
		differ = 0
		if angCE.Min > DifferentAngle {
			differ = 1
		}
	} else {
		v.Evidence = append(v.Evidence, "One seed only: whether layouts differ across seeds is not measured.")
	}
	allFar := spreadFar == len(ce)
	switch {
	case allFar && differ == 1:
		v.Outcome = Supported
	case allFar || differ == 1 || spreadFar > 0:
		v.Outcome = Partly
	default:
		v.Outcome = NotSupported
	}
	return v
}

func verdictInside(ceg, ce []*RunResult, l *latent.Layout) Verdict {
	v := Verdict{Claim: "Generalization points stay inside the configured space (ce+g)"}
	if len(ceg) == 0 {
		v.Outcome, v.Evidence = NotTested, []string{"no ce+g run"}
		return v
	}
	lim := 2 * l.Dc()
	inside, noneOut, strict := 0, 0, 0
	var within []float64
	for _, r := range ceg {
		c := r.Gen.Conformance
		if c.MedianNorm < lim {
			inside++
		}
		if c.Outside == 0 {
			noneOut++
		}
		if c.WithinRc >= WithinShare {
			strict++
		}
		within = append(within, c.WithinRc)
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s: generalization median |z| %.3f, max |z| %.3f, %s%% outside the configured space (v all zero), %s%% within r_c of their own centre",
			r.Experiment.Label(), c.MedianNorm, c.MaxNorm, report.Pct(c.Outside), report.Pct(c.WithinRc)))
	}
	w := SpreadOf(within)
	v.Evidence = append([]string{
		fmt.Sprintf("Lenient reading (a point is outside only when it is more than R_d from every centre, so a point at the origin counts as inside): median |z| below 2 d_c = %.2f in %d of %d ce+g runs; no point outside in %d of %d.",
			lim, inside, len(ceg), noneOut, len(ceg)),
		fmt.Sprintf("Strict reading (a point is inside when it lies within r_c of its own class's centre): %s–%s%% of the generalization points per run; at least %.0f%% in %d of %d ce+g runs.",
			report.Pct(w.Min), report.Pct(w.Max), 100*WithinShare, strict, len(ceg)),
	}, v.Evidence...)
	if len(ce) > 0 {
		var co, cm []float64
		for _, r := range ce {
			co, cm = append(co, r.Gen.Conformance.Outside), append(cm, r.Gen.Conformance.MedianNorm)
		}
		a, b := SpreadOf(co), SpreadOf(cm)
		v.Evidence = append(v.Evidence, fmt.Sprintf("For contrast, ce runs: %s–%s%% of the generalization points outside, median |z| %.3g–%.3g.", report.Pct(a.Min), report.Pct(a.Max), b.Min, b.Max))
	}
	lenient := inside == len(ceg) && noneOut == len(ceg)
	switch {
	case lenient && strict == len(ceg):
		v.Outcome = Supported
	case inside > 0:
		v.Outcome = Partly
	default:
		v.Outcome = NotSupported
	}
	v.Qualifier = fmt.Sprintf("none outside (v = 0) in %d of %d runs; within r_c of their own centre: %s–%s%% of the points, at least %.0f%% in %d of %d runs",
		noneOut, len(ceg), report.Pct(w.Min), report.Pct(w.Max), 100*WithinShare, strict, len(ceg))
	return v
}

// accuracyDiffs pairs ce+g and ce runs of one split by seed and returns
// the differences (points) and both sides' accuracies.
func accuracyDiffs(runs []*RunResult, seeds []uint64, sp data.SplitMode, gen bool) (diff, ce, ceg []float64) {
	acc := func(r *RunResult) float64 {
		if gen {
			return 100 * r.Gen.Accuracy
		}
		return 100 * r.Test.Accuracy
	}
	for _, s := range seeds {
		a := findRun(runs, Experiment{Mode: model.ModeCE, Split: sp, Seed: s, Encoder: "plain"})
		b := findRun(runs, Experiment{Mode: model.ModeCEG, Split: sp, Seed: s, Encoder: "plain"})
		if a == nil || b == nil {
			continue
		}
		ce, ceg = append(ce, acc(a)), append(ceg, acc(b))
		diff = append(diff, acc(b)-acc(a))
	}
	return diff, ce, ceg
}

// compareAccuracy states one comparison and says whether ce+g is
// higher (1), lower (-1) or not distinguishable (0) by range overlap.
func compareAccuracy(diff, ce, ceg []float64) (string, int) {
	d, a, b := SpreadOf(diff), SpreadOf(ce), SpreadOf(ceg)
	s := fmt.Sprintf("ce+g − ce %+.1f points (sd %.1f, %+.1f to %+.1f); ce %.1f–%.1f%%, ce+g %.1f–%.1f%%",
		d.Mean, d.SD, d.Min, d.Max, a.Min, a.Max, b.Min, b.Max)
	switch {
	case a.Overlaps(b):
		return s + ": not significant (the ranges overlap)", 0
	case b.Min > a.Max:
		return s + ": ce+g higher in every run", 1
	default:
		return s + ": ce+g lower in every run", -1
	}
}

func verdictAccuracy(runs []*RunResult, seeds []uint64) Verdict {
	v := Verdict{Claim: "L_CE + L_G gives higher test and generalization accuracy than L_CE"}
	var signs []int
	n := 0
	for _, sp := range []data.SplitMode{data.SplitPre, data.SplitPost} {
		for _, gen := range []bool{false, true} {
			diff, ce, ceg := accuracyDiffs(runs, seeds, sp, gen)
			if len(diff) == 0 {
				continue
			}
			n++
			set := "test"
			if gen {
				set = "gen"
			}
			s, sign := compareAccuracy(diff, ce, ceg)
			line := fmt.Sprintf("%s %s: %s", sp, set, s)
			signs = append(signs, sign)
			// The paper's own numbers, compared the same way.
			pce, pceg := paperColumn(model.ModeCE, sp, gen), paperColumn(model.ModeCEG, sp, gen)
			pd := make([]float64, len(pce))
			for i := range pce {
				pd[i] = pceg[i] - pce[i]
			}
			ps, _ := compareAccuracy(pd, pce, pceg)
			v.Evidence = append(v.Evidence, line+" (paper's Table 2: "+ps+").")
		}
	}
	if n == 0 {
		v.Outcome, v.Evidence = NotTested, []string{"no pair of ce and ce+g runs of the same seed and split"}
		return v
	}
	higher, lower := 0, 0
	for _, s := range signs {
		if s > 0 {
			higher++
		}
		if s < 0 {
			lower++
		}
	}
	switch {
	case higher == len(signs):
		v.Outcome = Supported
	case lower > 0 && higher == 0:
		v.Outcome = NotSupported
	case higher > 0:
		v.Outcome = Partly
	default:
		v.Outcome = NotSignificant
	}
	return v
}

// paperColumn returns the paper's test or gen accuracies of a column.
func paperColumn(m model.Mode, sp data.SplitMode, gen bool) []float64 {
	t, g := PaperTable2(Column{Mode: m, Split: sp})
	if gen {
		return g
	}
	return t
}

// verdictSectors checks that no encoding of a polar run lies in a
// prohibited sector (the encoder configuration's guarantee, paper 3.2).
// It is NotTested without a polar run, or when the polar runs' encodings
// are not at hand (verdicts recomputed from report.json, which does not
// store them).
func verdictSectors(runs []*RunResult) Verdict {
	v := Verdict{Claim: "With the polar encoder configuration no encoding falls in a prohibited sector"}
	bad, tested, polar := 0, 0, 0
	for _, r := range runs {
		if !r.Experiment.Polar() {
			continue
		}
		polar++
		s, err := latent.ParseSectors(r.Experiment.Encoder, len(r.Test.Classes))
		if err != nil || s == nil || r.Points.ND != 2 {
			v.Evidence = append(v.Evidence, fmt.Sprintf("%s: its encodings are not available (they are not stored in report.json), so they cannot be checked.", r.Experiment.Label()))
			continue
		}
		tested++
		n, in := 0, 0
		for _, z := range [][]float32{r.Points.ZTrain, r.Points.ZGen} {
			for i := 0; i+1 < len(z); i += 2 {
				n++
				if s.IsProhibitedPoint(float64(z[i]), float64(z[i+1])) {
					in++
				}
			}
		}
		bad += in
		v.Evidence = append(v.Evidence, fmt.Sprintf("%s: %d of %d training and generalization encodings in a prohibited sector.", r.Experiment.Label(), in, n))
	}
	switch {
	case polar == 0:
		v.Outcome, v.Evidence = NotTested, []string{"no polar-encoder run (--polar none)"}
	case bad > 0:
		v.Outcome = NotSupported
	case tested < polar:
		v.Outcome = NotTested
	default:
		v.Outcome = Supported
	}
	return v
}

// dist is the Euclidean distance of two points.
func dist(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s)
}

// VerdictsOfReport recomputes the verdicts of a reproduction from its
// report.json (the runs' figures and seeds, on the paper's layout). The
// runs' encodings are not in report.json: verdicts that need them say
// "not tested".
func VerdictsOfReport(b []byte) ([]Verdict, error) {
	var js reportJSON
	if err := json.Unmarshal(b, &js); err != nil {
		return nil, fmt.Errorf("report.json: %w", err)
	}
	l, err := latent.Circle(latent.PaperNC, latent.PaperDC, latent.PaperRC)
	if err != nil {
		return nil, err
	}
	return Verdicts(js.Runs, js.Seeds, l), nil
}
