package repro

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"time"

	"github.com/lsconf/lsconf/data"
	"github.com/lsconf/lsconf/latent"
	"github.com/lsconf/lsconf/model"
	"github.com/lsconf/lsconf/train"
)

// The detection ceiling (lsconf repro --open-set --oracle): ce trained on
// every class, the unknown ones included, at the same budget and seed as
// the split's methods, scores each test image by its softmax mass on the
// split's unknown classes. It saw the unknown classes, so it is an
// oracle, not an open-set method: its TPR@5%FPR says how far apart the
// known and unknown test images can be told at this budget by a model of
// this size that knows what to look for.

// OracleMethod names the ceiling in the report.
const OracleMethod = "ce oracle"

// OracleDir is the ceiling's run folder in each split's folder.
const OracleDir = "ce-oracle"

// ScoreOracleMass is the oracle's score: the sum of its softmax
// probabilities of the split's unknown classes.
const ScoreOracleMass = "softmax mass on the unknown classes (oracle)"

// unknownMass is, for each row of logits (nc values), the softmax mass
// on the classes unk, and whether the largest logit among the classes
// known (the others) is the label's (labels in the same numbering; the
// unknown rows' correctness is false).
func unknownMass(logits []float32, nc int, unk []int, labels []int32) ([]float64, []bool) {
	n := len(logits) / nc
	mass := make([]float64, n)
	right := make([]bool, n)
	for i := range n {
		row := logits[i*nc : (i+1)*nc]
		top := float64(slices.Max(row))
		sum, u := 0.0, 0.0
		best, bestC := math.Inf(-1), -1
		for c, v := range row {
			e := math.Exp(float64(v) - top)
			sum += e
			if slices.Contains(unk, c) {
				u += e
			} else if float64(v) > best {
				best, bestC = float64(v), c
			}
		}
		mass[i] = u / sum
		right[i] = bestC == int(labels[i])
	}
	return mass, right
}

// oracleRun trains (or reuses) ce on every class of split k's training
// images and scores the split's known and unknown test images by its
// softmax mass on the unknown classes.
func oracleRun(ctx context.Context, cfg OpenSetConfig, out string, k int, src *data.IDXSplit, unk []int, logf func(string, ...any), tag string) (*OpenSetRun, error) {
	nc := len(src.Train.ClassNames)
	all := make([]int, nc)
	for c := range all {
		all[c] = c
	}
	trainSet := pickClasses(src.Train, all, 0, cfg.PerClass)
	valSet := pickClasses(src.Train, all, cfg.PerClass, cfg.ValPerClass)
	testSet := pickClasses(src.Test, all, 0, cfg.TestPerClass)
	nd := latent.DefaultND(nc)
	rc, err := latent.AutoRc(nc, nd, latent.PaperDC)
	if err != nil {
		return nil, fmt.Errorf("repro open-set oracle: %w", err)
	}
	l, err := latent.Spread(nc, nd, latent.PaperDC, rc)
	if err != nil {
		return nil, fmt.Errorf("repro open-set oracle: layout: %w", err)
	}
	dir := filepath.Join(out, RunsDir, fmt.Sprintf("split%d", k), OracleDir)
	tr, err := data.NewGrayAugmentedSet(trainSet, 0, data.AugmentFor(cfg.Source, data.MirrorH), uint64(k))
	if err != nil {
		return nil, fmt.Errorf("repro open-set oracle: %w", err)
	}
	tc := train.Config{Mode: model.ModeCE, Head: string(model.HeadDense), Width: cfg.Width, Epochs: cfg.Epochs, BatchSize: cfg.BatchSize,
		LR: cfg.LR, LRSchedule: model.ScheduleCosine, Seed: uint64(k), Layout: l, Engine: cfg.Engine, Progress: cfg.Progress,
		CheckpointEvery: -1,
		Data: train.DataInfo{Train: cfg.Source, Split: "shipped", Mirror: data.MirrorH, TrainLen: tr.Len(), TestLen: testSet.Len(),
			Description: fmt.Sprintf("%s, all %d classes x %d images (open-set oracle, split %d's seed)", cfg.Source, nc, cfg.PerClass, k)}}
	t0 := time.Now()
	tc.OnState = func(st train.RunState) {
		if st != train.RunDone {
			logf("%s: training %s (%d images)\n", tag, dir, tr.Len())
		}
	}
	if _, _, err := train.Ensure(ctx, tc, train.Sets{Train: tr, Test: testSet}, dir); err != nil {
		return nil, fmt.Errorf("repro open-set oracle %s: %w", dir, err)
	}
	run, err := train.OpenRun(dir, cfg.Engine)
	if err != nil {
		return nil, fmt.Errorf("repro open-set oracle: %w", err)
	}
	defer run.Close()
	score := func(g *data.GraySet) (known, unknown []float64, right []bool, err error) {
		inf, err := inferUnlabelled(ctx, run, g)
		if err != nil {
			return nil, nil, nil, err
		}
		mass, ok := unknownMass(inf.Logits, nc, unk, inf.Labels)
		for i, y := range inf.Labels {
			if slices.Contains(unk, int(y)) {
				unknown = append(unknown, mass[i])
			} else {
				known, right = append(known, mass[i]), append(right, ok[i])
			}
		}
		return known, unknown, right, nil
	}
	ks, us, correct, err := score(testSet)
	if err != nil {
		return nil, err
	}
	vs, _, _, err := score(valSet)
	if err != nil {
		return nil, err
	}
	r := &OpenSetRun{Split: k, Method: OracleMethod, Scores: map[string]OpenSetScore{},
		Dir: filepath.ToSlash(filepath.Join(RunsDir, fmt.Sprintf("split%d", k), OracleDir))}
	for _, c := range correct {
		if c {
			r.Accuracy++
		}
	}
	r.Accuracy /= float64(len(correct))
	if r.Scores[ScoreOracleMass], err = openSetScoreOf(us, ks, correct); err != nil {
		return nil, fmt.Errorf("repro open-set oracle: %w", err)
	}
	o, err := calOutside(vs, ks, us)
	if err != nil {
		return nil, fmt.Errorf("repro open-set oracle: %w", err)
	}
	r.ScoreOutside = map[string][2]float64{ScoreOracleMass: o.pair()}
	if ls, err := train.ReadMetrics(filepath.Join(dir, train.MetricsFile)); err == nil && len(ls) > 0 {
		r.Seconds = ls[len(ls)-1].WallSeconds
	}
	logf("%s: done in %s; closed-set acc %.1f%% (argmax over the known classes), AUROC %.3f, TPR@5%%FPR %.3f (an oracle: it trained on the unknown classes)\n",
		tag, since(t0), 100*r.Accuracy, r.Scores[ScoreOracleMass].AUROC, r.Scores[ScoreOracleMass].TPRAt5FPR)
	return r, nil
}

// hasMethod reports whether res has a run of the method.
func (res *OpenSetResult) hasMethod(m string) bool {
	return slices.ContainsFunc(res.Runs, func(r *OpenSetRun) bool { return r.Method == m })
}

// partialVerdicts are the verdicts of a report that lacks ce or the
// default method (--methods): the comparisons say "not tested", and the
// ceiling is given when it was run.
func (res *OpenSetResult) partialVerdicts() []string {
	return append([]string{
		"AUROC of the default against the best ce baseline, closed-set accuracy and the calibrated outside targets: not tested (this report lacks ce or ce+g distance; --methods)",
	}, res.oracleVerdict()...)
}

// oracleVerdict states the detection ceiling when the oracle was run.
func (res *OpenSetResult) oracleVerdict() []string {
	if !res.hasMethod(OracleMethod) {
		return nil
	}
	f := func(g func(r *OpenSetRun) float64) float64 { return openSetSpread(res, OracleMethod, g).Mean }
	return []string{fmt.Sprintf("detection ceiling (an oracle, not a method: ce trained on all the classes, the unknown ones included, scored by its softmax mass on them): AUROC %.3f, TPR@5%%FPR %.3f, calibrated outside %.1f%% of the unknown and %.1f%% of the known test images",
		f(func(r *OpenSetRun) float64 { return r.Scores[ScoreOracleMass].AUROC }), f(func(r *OpenSetRun) float64 { return r.Scores[ScoreOracleMass].TPRAt5FPR }),
		100*f(func(r *OpenSetRun) float64 { return r.ScoreOutside[ScoreOracleMass][0] }), 100*f(func(r *OpenSetRun) float64 { return r.ScoreOutside[ScoreOracleMass][1] }))}
}
